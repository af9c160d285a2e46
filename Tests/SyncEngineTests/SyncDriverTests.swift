import Foundation
import Causality
import InboxModel
import OutpostTestSupport
import Replica
import SyncCore
import SyncEngine
import Testing
import Wire

@Suite("Sync driver over an in-memory transport")
struct SyncDriverTests {
    static let serverID = ReplicaID(1)
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let sam = UserID(rawValue: "sam")!
    static let partner = PartnerID(rawValue: "p1")!
    static let clock = FixedClock(milliseconds: 1_800_000_000_000)

    static func server() throws -> Replica {
        let server = try Replica.inMemory(identity: ReplicaIdentity(replica: serverID, brand: brand, viewer: nil),
                                          clock: clock)
        var maker = OpMaker(replica: serverID, wall: 1_800_000_000_001)
        try server.apply([
            maker.make(.platform, .setBrand(Brand(id: brand, name: "Northwind"))),
            maker.make(.platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com"))),
            maker.make(.platform, .upsertUser(User(id: sam, name: "Sam", email: "sam@example.com"))),
            maker.make(.platform, .upsertPartner(Partner(id: partner, name: "Juniper", contactEmail: "j@example.com",
                                                         status: .active, statusSince: 1))),
            maker.make(.partner(partner), .startConversation(StartConversation(kind: .direct, partner: partner,
                                                                               subject: "Samples",
                                                                               body: "They arrived."))),
        ])
        return server
    }

    static func device(_ raw: UInt64, user: UserID) throws -> Replica {
        try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(raw), brand: brand, viewer: user), clock: clock)
    }

    /// One sync of `device` with `server`: both drivers run concurrently over a transport pair. The
    /// server vouches for the replica `token` names (by default the device itself), as a device
    /// token of the northwind brand would.
    static func sync(_ device: Replica, with server: Replica, token: DeviceScope? = nil) async throws -> [SyncEvent] {
        let (deviceSide, serverSide) = MemoryTransport.pair()
        let events = EventLog()
        let scope = token ?? DeviceScope(replica: device.identity.replica, brand: brand, user: device.identity.viewer!)
        let serverDriver = SyncDriver(session: .server(replica: serverID, device: scope), store: server, clock: clock)
        let deviceDriver = SyncDriver(session: .device(replica: device.identity.replica, brand: device.identity.brand,
                                                       user: device.identity.viewer),
                                      store: device, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await serverDriver.run(over: serverSide, untilCaughtUp: true)
            }
            group.addTask {
                try await deviceDriver.run(over: deviceSide, untilCaughtUp: true) { events.append($0) }
                await deviceSide.close()
            }
            try await group.waitForAll()
        }
        return events.all
    }

    @Test("a device catches up over the transport, and its changes reach the server")
    func roundTrip() async throws {
        let server = try Self.server()
        let laptop = try Self.device(0xd1, user: Self.dana)
        let events = try await Self.sync(laptop, with: server)
        #expect(events.contains(.caughtUp))
        #expect(events.contains(.connected(peer: Self.serverID, clockSkewMs: 0, peerHave: try server.versionVector())))
        #expect(try laptop.digest().state == server.digest().state)
        let thread = try laptop.inbox()[0].id
        let reply = try laptop.reply(to: thread, text: "Thanks!")
        _ = try await Self.sync(laptop, with: server)
        #expect(try server.thread(thread, markRead: false).messages.map(\.id).contains(reply))
    }

    @Test("a reply is encoded once, where it is written, and decoded once by each replica that applies it")
    func encodedOnce() async throws {
        let server = try Self.server()
        let laptop = try Self.device(0xd1, user: Self.dana)
        let tablet = try Self.device(0xd2, user: Self.sam)
        _ = try await Self.sync(laptop, with: server)
        _ = try await Self.sync(tablet, with: server)
        let thread = try laptop.inbox()[0].id

        // The reply: laptop journal → frame → server journal → frame → tablet journal, as one set of bytes.
        let reply = OpCodingTally()
        try await OpCodingTally.$current.withValue(reply) {
            _ = try laptop.reply(to: thread, text: "Thanks!")
            _ = try await Self.sync(laptop, with: server)
            _ = try await Self.sync(tablet, with: server)
        }
        #expect(try tablet.thread(thread, markRead: false).messages.contains { $0.body == "Thanks!" })
        #expect(reply.encodes == 1)
        #expect(reply.decodes == 2)

        // Dana's read mark reaches Sam's tablet as a stand-in: the one op the server encodes.
        let read = OpCodingTally()
        try await OpCodingTally.$current.withValue(read) {
            #expect(try laptop.markRead(thread))
            _ = try await Self.sync(laptop, with: server)
            _ = try await Self.sync(tablet, with: server)
        }
        #expect(try tablet.versionVector() == server.versionVector())
        #expect(read.encodes == 2)
        #expect(read.decodes == 3)
    }

    @Test("another user's drafts and read state reach a device only as redacted stand-ins")
    func scope() async throws {
        let server = try Self.server()
        let samLaptop = try Self.device(0x5a, user: Self.sam)
        let danaLaptop = try Self.device(0xd1, user: Self.dana)
        _ = try await Self.sync(samLaptop, with: server)
        let thread = try samLaptop.inbox()[0].id
        try samLaptop.saveDraft(thread, text: "Sam's private draft")
        try samLaptop.markRead(thread)
        try samLaptop.reply(to: thread, text: "Sam's public reply")
        _ = try await Self.sync(samLaptop, with: server)
        _ = try await Self.sync(danaLaptop, with: server)
        #expect(try danaLaptop.versionVector() == server.versionVector(), "every dot arrives, without gaps")
        #expect(try danaLaptop.info().heldOps == 0)
        var seen: [Op] = []
        try danaLaptop.journal { seen += $0 }
        let fromSam = seen.filter { $0.dot.replica == ReplicaID(0x5a) }
        #expect(fromSam.map(\.kind) == [.redacted, .redacted, .postMessage])
        #expect(!seen.contains { if case .saveDraft = $0.body { true } else { false } })
        let view = try danaLaptop.thread(thread, markRead: false)
        #expect(view.messages.last?.body == "Sam's public reply")
        #expect(view.unread, "Sam's read does not make it read for Dana")
        #expect(view.draft.isEmpty)
    }

    @Test("a refused hello ends the device's sync with the server's error")
    func refused() async throws {
        let server = try Self.server()
        let stranger = try Replica.inMemory(
            identity: ReplicaIdentity(replica: ReplicaID(0xee), brand: BrandID(rawValue: "other")!, viewer: Self.dana),
            clock: Self.clock)
        await #expect(throws: SyncFailure.refused(ErrorFrame(code: .forbidden,
                                                             message: "the hello does not match this device's token",
                                                             retryable: false))) {
            _ = try await Self.sync(stranger, with: server)
        }
        #expect(try stranger.versionVector().isEmpty)
    }
}

/// Collects events from a driver running in another task.
final class EventLog: Sendable {
    private let storage = Storage()
    func append(_ event: SyncEvent) { storage.append(event) }
    var all: [SyncEvent] { storage.all }

    private final class Storage: @unchecked Sendable {
        // @unchecked: every access goes through `lock`.
        private let lock = NSLock()
        private var events: [SyncEvent] = []
        func append(_ event: SyncEvent) { lock.withLock { events.append(event) } }
        var all: [SyncEvent] { lock.withLock { events } }
    }
}
