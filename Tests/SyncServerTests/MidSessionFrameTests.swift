import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import InboxModel
import OutpostTestSupport
import Replica
import Testing
import Wire
@testable import SyncServer

@Suite("Bad frames after a valid hello", .timeLimit(.minutes(5)))
struct MidSessionFrameTests {
    @Test("the session gets the Error frame and a close, the brand replica is unchanged, other sessions keep working",
          arguments: BadFrames.all)
    func refusedMidSession(bad: BadFrame) async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let observer = try world.enroll(TestWorld.sam)
        let device = try world.enroll(TestWorld.dana)
        let me = device.enrollment.replica
        try await world.app.test(.live) { client in
            let live = await LiveSession.open(observer.replica, token: observer.enrollment.token, client)
            #expect(live.caughtUp)
            let before = try (world.brandReplica().digest(), world.brandReplica().versionVector())

            let hello = Hello(replica: me, brand: TestWorld.northwind, user: TestWorld.dana, have: VersionVector(),
                              clockMs: SystemClock().nowMilliseconds())
            let log = try await client.rawSession(token: device.enrollment.token, hello: hello,
                                                  send: [.binary(try bad.make(me))])
            #expect(log.gotWelcome)
            #expect(log.errors.map(\.code.rawValue) == [bad.code])
            #expect(log.undecodable == 0)
            #expect(try world.brandReplica().digest() == before.0)
            #expect(try world.brandReplica().versionVector() == before.1)
            #expect(world.server.metrics.errors(bad.code) == 1)

            // The observer's session is still live: the same device, syncing properly now, reaches it.
            #expect(try await client.sync(device.replica, token: device.enrollment.token) == .caughtUp)
            _ = try device.replica.compose(to: TestWorld.partner, subject: "Proper", text: "Hello")
            #expect(try await client.sync(device.replica, token: device.enrollment.token) == .caughtUp)
            try await eventually("the message on the observer") { try !observer.replica.inbox().isEmpty }
            #expect(try observer.replica.inbox().map(\.subject) == ["Proper"])
            #expect(try world.brandReplica().versionVector()[me] == 1)
            try await live.stop()
        }
    }
}
