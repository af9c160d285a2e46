import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import InboxModel
import Testing
import Wire
@testable import SyncServer

// Five minutes: `helloInTime` idles 16 s past its timer, and in a full parallel run on two busy
// cores (live scenario processes, the fuzz budget) it has taken 62–85 s.
@Suite("The hello timeout", .timeLimit(.minutes(5)))
struct HelloTimeoutTests {
    @Test("a socket that sends nothing after the upgrade gets Error{hello_timeout} and a close")
    func silent() async throws {
        let world = try TestWorld(limits: ServerLimits(helloTimeout: .milliseconds(300)))
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            let log = try await client.rawSession(token: device.enrollment.token)
            #expect(log.errors.map(\.code) == [.helloTimeout])
            #expect(log.errors.first?.retryable == true)
            #expect(!log.gotWelcome)
            // The socket's slot is given back.
            try await eventually { world.server.metrics.openSockets == 0 }
        }
        #expect(world.server.metrics.errors("hello_timeout") == 1)
        #expect(world.server.metrics.render().contains(#"outpost_errors_total{code="hello_timeout"} 1"#))
    }

    @Test("a session whose hello came in time outlives the timeout")
    func helloInTime() async throws {
        // Generous: the hello leaves right after the upgrade, but in a full parallel test run on two
        // busy cores 5 s once proved too short for the first exchange; the session then idles past
        // the timer.
        let timeout = Duration.seconds(15)
        let world = try TestWorld(limits: ServerLimits(helloTimeout: timeout))
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let tablet = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            let live = await LiveSession.open(tablet.replica, token: tablet.enrollment.token, client)
            try #require(live.caughtUp, "the first exchange did not complete")
            try await Task.sleep(for: timeout + .seconds(1))
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            _ = try laptop.replica.compose(to: TestWorld.partner, subject: "Still there?", text: "Hello")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            try await eventually { try !tablet.replica.inbox().isEmpty }
            #expect(try tablet.replica.inbox().map(\.subject) == ["Still there?"])
            try await live.stop()
        }
        #expect(world.server.metrics.errors("hello_timeout") == 0)
    }
}
