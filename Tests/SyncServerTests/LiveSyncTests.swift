import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import InboxModel
import OutpostTestSupport
import Replica
import SyncClient
import Testing
@testable import SyncServer

@Suite("Live sync over a real WebSocket", .timeLimit(.minutes(5)))
struct LiveSyncTests {
    @Test("two devices of one user converge through the server; another user sees redacted drafts")
    func converge() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let tablet = try world.enroll(TestWorld.dana)
        let sam = try world.enroll(TestWorld.sam)
        try await world.app.test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            let thread = try laptop.replica.compose(to: TestWorld.partner, subject: "Samples", text: "Did they arrive?")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)

            #expect(try await client.sync(tablet.replica, token: tablet.enrollment.token) == .caughtUp)
            _ = try tablet.replica.reply(to: thread, text: "Second thought")
            #expect(try await client.sync(tablet.replica, token: tablet.enrollment.token) == .caughtUp)
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            #expect(try laptop.replica.digest().state == tablet.replica.digest().state)
            #expect(try laptop.replica.inbox().first?.subject == "Samples")

            // A private draft reaches the user's other device, and another user only as redacted.
            try laptop.replica.saveDraft(thread, text: "private follow-up")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            #expect(try await client.sync(tablet.replica, token: tablet.enrollment.token) == .caughtUp)
            #expect(try tablet.replica.drafts().count == 1)
            #expect(try laptop.replica.digest().state == tablet.replica.digest().state)

            #expect(try await client.sync(sam.replica, token: sam.enrollment.token) == .caughtUp)
            #expect(try sam.replica.drafts().isEmpty)
            #expect(try sam.replica.versionVector() == world.brandReplica().versionVector())
            #expect(try sam.replica.inbox().count == 1)
        }
        let metrics = world.server.metrics.render()
        #expect(metrics.contains("outpost_syncs_total 8"))
        #expect(metrics.contains("outpost_connected_devices 0"))
    }

    @Test("a connected device gets other devices' ops and admin changes pushed live")
    func livePush() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let tablet = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            let live = await LiveSession.open(tablet.replica, token: tablet.enrollment.token, client)
            try #require(live.caughtUp, "the first exchange did not complete")
            // Another device's message is pushed.
            _ = try laptop.replica.compose(to: TestWorld.partner, subject: "Live", text: "Hello")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            try await eventually("the message on the tablet") { try !tablet.replica.inbox().isEmpty }
            #expect(try tablet.replica.inbox().first?.subject == "Live")
            // An admin change (not announced in-process: found by polling) is pushed too.
            try world.store.addPartner(brand: TestWorld.northwind, id: PartnerID(rawValue: "p2")!, name: "Kestrel",
                                       email: "k@example.com", status: .pending)
            try await eventually("the new partner on the tablet") { try tablet.replica.partners().count >= 2 }
            #expect(try tablet.replica.partners().count == 2)
            #expect(world.server.metrics.connectedDevices == 1)
            try await live.stop()
        }
    }

    @Test("a revoked device is cut off mid-session and refused afterwards")
    func revoked() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            let (stop, _) = AsyncStream<Void>.makeStream()
            let (caughtUp, signal) = AsyncStream<Void>.makeStream()
            async let live = client.sync(laptop.replica, token: laptop.enrollment.token, stop: stop) { event in
                if case .caughtUp = event { signal.yield() }
            }
            for await _ in caughtUp { break }
            try world.store.revoke(brand: TestWorld.northwind, replica: laptop.enrollment.replica)
            #expect(try await live == .failed("unauthorized"))
            for token in [laptop.enrollment.token, nil, "wrong"] {
                // The upgrade is refused (401): the client throws, or never gets a session.
                let outcome = try? await client.sync(laptop.replica, token: token)
                #expect(outcome != .caughtUp)
            }
        }
    }

    @Test("a hello for another brand's replica or user is forbidden")
    func forbidden() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let eve = try world.enroll(TestWorld.eve, brand: TestWorld.acme)
        let impostors = [
            // Dana's token, but Eve's brand and user.
            ReplicaIdentity(replica: laptop.enrollment.replica, brand: TestWorld.acme, viewer: TestWorld.eve),
            // Dana's token and brand, Sam's user.
            ReplicaIdentity(replica: laptop.enrollment.replica, brand: TestWorld.northwind, viewer: TestWorld.sam),
            // Dana's token, Eve's replica id.
            ReplicaIdentity(replica: eve.enrollment.replica, brand: TestWorld.northwind, viewer: TestWorld.dana),
        ]
        try await world.app.test(.live) { client in
            for identity in impostors {
                let replica = try Replica.inMemory(identity: identity)
                #expect(try await client.sync(replica, token: laptop.enrollment.token) == .failed("forbidden"))
                #expect(try replica.versionVector().isEmpty)
            }
        }
        #expect(world.server.metrics.render().contains(#"outpost_errors_total{code="forbidden",direction="sent"} 3"#))
    }
}
