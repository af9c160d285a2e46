import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import OutpostTestSupport
import Replica
import SyncClient
import Testing
@testable import SyncServer

@Suite("Connection limits", .timeLimit(.minutes(5)))
struct ConnectionLimitTests {
    @Test("sockets over the per-device or the total limit get too_many_connections; a freed slot is reused")
    func limits() async throws {
        // A long hello timeout: on a busy machine the first hello may take seconds.
        let world = try TestWorld(limits: ServerLimits(helloTimeout: .seconds(120), maxConnections: 2,
                                                       maxConnectionsPerDevice: 1))
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let sam = try world.enroll(TestWorld.sam)
        let eve = try world.enroll(TestWorld.eve, brand: TestWorld.acme)
        try await world.app.test(.live) { client in
            let laptopSession = await LiveSession.open(laptop.replica, token: laptop.enrollment.token, client)
            #expect(laptopSession.caughtUp)
            // The same device again: over its own limit.
            let again = try await client.sync(laptop.replica, token: laptop.enrollment.token)
            #expect(again == .failed("too_many_connections"))
            // Another device: within both limits.
            let samSession = await LiveSession.open(sam.replica, token: sam.enrollment.token, client)
            #expect(samSession.caughtUp)
            #expect(world.server.metrics.openSockets == 2)
            // A third device: over the total.
            #expect(try await client.sync(eve.replica, token: eve.enrollment.token) == .failed("too_many_connections"))

            try await laptopSession.stop()
            try await eventually("one open socket") { world.server.metrics.openSockets == 1 }
            #expect(try await client.sync(eve.replica, token: eve.enrollment.token) == .caughtUp)
            try await samSession.stop()
        }
        let metrics = world.server.metrics.render()
        #expect(metrics.contains(#"outpost_errors_total{code="too_many_connections",direction="sent"} 2"#))
        #expect(metrics.contains("outpost_sync_sockets"))
    }
}
