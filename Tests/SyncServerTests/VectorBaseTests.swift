import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import Replica
import SyncEngine
import Testing
@testable import SyncServer

/// Protocol/SPEC.md, "Vector changes", against the real server: what a device and the server
/// agree on at the end of a session, and a server that forgot it (a restart).
@Suite("Vector bases between a device and the server")
struct VectorBaseTests {
    @Test("after a sync the device and the server hold the same base; a restarted server asks for the whole vector once and the sync still completes")
    func baseAcrossRestart() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        let device = laptop.replica.identity.replica
        try await world.app.test(.live) { client in
            let outcome = try await client.sync(laptop.replica, token: laptop.enrollment.token)
            #expect(outcome == .caughtUp)
        }
        let base = try #require(try laptop.replica.syncState().vectorBase)
        #expect(base == (try laptop.replica.versionVector()))
        #expect(world.server.hub.vectorBases.base(base.digest, for: device) == base)

        // The same store behind a new server process: its memory of bases is empty.
        let thread = try laptop.replica.compose(to: TestWorld.partner, subject: "Samples", text: "Did they arrive?")
        let restarted = OutpostServer(store: world.store, limits: world.server.limits)
        let events = Box<[SyncEvent]>([])
        try await restarted.application(host: "127.0.0.1", port: 0).test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) { event in
                events.update { $0.append(event) }
            } == .caughtUp)
            #expect(events.current.filter { $0 == .helloResent }.count == 1)
            #expect(try world.brandReplica().thread(thread, markRead: false).messages.count == 1)

            // Now the new server knows the base: the next hello is taken as changes.
            _ = try laptop.replica.reply(to: thread, text: "Second thought")
            events.update { $0 = [] }
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) { event in
                events.update { $0.append(event) }
            } == .caughtUp)
            #expect(!events.current.contains(.helloResent))
            #expect(try world.brandReplica().thread(thread, markRead: false).messages.count == 2)
        }
        #expect(try laptop.replica.versionVector() == world.brandReplica().versionVector())
    }
}
