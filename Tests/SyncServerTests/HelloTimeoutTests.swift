import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import InboxModel
import Testing
import OutpostTestSupport
import Wire
@testable import SyncServer

/// The hello timeout runs on a ``ManualClock``: the tests move it past the timeout instead of
/// waiting for it.
@Suite("The hello timeout", .timeLimit(.minutes(5)))
struct HelloTimeoutTests {
    static let timeout = Duration.seconds(10)

    @Test("a socket that sends nothing after the upgrade gets Error{hello_timeout} and a close")
    func silent() async throws {
        let clock = ManualClock()
        let world = try TestWorld(limits: ServerLimits(helloTimeout: Self.timeout), helloClock: clock)
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            // Moves the clock once the session's timer sleeps on it: first to just short of the
            // timeout (nothing may happen), then past it. It waits as long as the upgrade takes.
            let early = Box<Int?>(nil)
            let mover = Task {
                while clock.sleepers == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                clock.advance(by: Self.timeout - .milliseconds(1))
                // The timer has not fired: it still sleeps.
                early.update { $0 = clock.sleepers }
                clock.advance(by: .milliseconds(1))
            }
            let log = try await client.rawSession(token: device.enrollment.token)
            mover.cancel()
            #expect(early.current == 1, "the timer fired before its timeout")
            #expect(log.errors.map(\.code.rawValue) == ["hello_timeout"])
            #expect(log.errors.first?.retryable == true)
            #expect(!log.gotWelcome)
            // The socket's slot is given back.
            try await eventually { world.server.metrics.openSockets == 0 }
        }
        #expect(world.server.metrics.errors("hello_timeout") == 1)
        #expect(world.server.metrics.render().contains(#"outpost_errors_total{code="hello_timeout",direction="sent"} 1"#))
    }

    @Test("a session whose hello came in time outlives the timeout")
    func helloInTime() async throws {
        let clock = ManualClock()
        let world = try TestWorld(limits: ServerLimits(helloTimeout: Self.timeout), helloClock: clock)
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let tablet = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            let live = await LiveSession.open(tablet.replica, token: tablet.enrollment.token, client)
            try #require(live.caughtUp, "the first exchange did not complete")
            clock.advance(by: Self.timeout + .seconds(1))
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
