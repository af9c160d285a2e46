import Causality
import InboxModel
import Replica
import Testing
@testable import SyncCore
import SyncEngine
import Wire

@Suite("Sync sessions over real replicas")
struct SyncSessionTests {
    static let serverID = ReplicaID(1)
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let partner = PartnerID(rawValue: "p1-juniper")!
    /// The laptop (replica 0xd1) as its token vouches for it.
    static let laptopScope = DeviceScope(replica: ReplicaID(0xd1), brand: brand, user: dana)

    /// A server replica with a brand, a user, a partner and `conversations` partner threads.
    static func server(conversations: Int = 3) throws -> Replica {
        let server = try Replica.inMemory(identity: ReplicaIdentity(replica: serverID, brand: brand, viewer: nil),
                                          clock: FixedClock(milliseconds: 1_800_000_000_000))
        var ops: [Op] = []
        func op(_ actor: Principal, _ body: OpBody) -> Op {
            let counter = UInt64(ops.count + 1)
            return Op(dot: Dot(replica: serverID, counter: counter),
                      stamp: HLCTimestamp(wall: 1_800_000_000_000 + counter, logical: 0, replica: serverID),
                      deps: [], actor: actor, body: body)
        }
        ops.append(op(.platform, .setBrand(Brand(id: brand, name: "Northwind"))))
        ops.append(op(.platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com"))))
        ops.append(op(.platform, .upsertPartner(Partner(id: partner, name: "Juniper", contactEmail: "j@example.com",
                                                        status: .active, statusSince: 1))))
        for index in 0..<conversations {
            ops.append(op(.partner(partner), .startConversation(StartConversation(
                kind: .direct, partner: partner, subject: "Thread \(index)", body: "Hello number \(index)"))))
        }
        try server.apply(ops)
        return server
    }

    static func device(_ replica: UInt64, clockMs: UInt64 = 1_800_000_100_000) throws -> Replica {
        try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(replica), brand: brand, viewer: dana),
                             clock: FixedClock(milliseconds: clockMs))
    }

    @Test("a new device catches up with the server")
    func firstSync() throws {
        let server = try Self.server(conversations: 5)
        let laptop = try Self.device(0xd1)
        let outcome = try LoopbackSync(device: laptop, server: server).run()
        #expect(outcome.failure == nil)
        #expect(outcome.caughtUp.device && outcome.caughtUp.server)
        #expect(try laptop.versionVector() == server.versionVector())
        #expect(try laptop.digest().state == server.digest().state)
        #expect(try laptop.inbox().count == 5)
    }

    @Test("two devices of one user, offline with their own changes, converge through the server")
    func twoDevicesConverge() throws {
        let server = try Self.server()
        let laptop = try Self.device(0xd1)
        let tablet = try Self.device(0xd2, clockMs: 1_700_000_000_000)  // a clock far behind
        for device in [laptop, tablet] { _ = try LoopbackSync(device: device, server: server).run() }
        let thread = try laptop.inbox()[0].id
        // Offline: each device replies, reads, edits the draft of another thread.
        try laptop.reply(to: thread, text: "From the laptop")
        try tablet.reply(to: thread, text: "From the tablet")
        try tablet.markUnread(try tablet.inbox()[1].id)
        try laptop.saveDraft(try laptop.inbox()[2].id, text: "laptop draft")
        try tablet.saveDraft(try tablet.inbox()[2].id, text: "tablet draft")
        // Reconnect, twice round so each sees the other's changes.
        for _ in 0..<2 {
            for device in [laptop, tablet] {
                let outcome = try LoopbackSync(device: device, server: server).run()
                #expect(outcome.failure == nil)
            }
        }
        #expect(try laptop.digest() == tablet.digest())
        #expect(try laptop.digest().state == server.digest().state)
        let view = try laptop.thread(thread, markRead: false)
        #expect(view.messages.count == 3)
        // The tablet's clock is far behind, but its reply was made after it saw the partner's message.
        #expect(view.messages[0].author == .partner(Self.partner))
        #expect(try laptop.draft(.conversation(try laptop.inbox()[2].id)).versions.count == 2)
    }

    @Test("a session that syncs nothing new still completes, and a second run sends no ops")
    func idempotentRounds() throws {
        let server = try Self.server()
        let laptop = try Self.device(0xd1)
        _ = try LoopbackSync(device: laptop, server: server).run()
        let journal = try laptop.info().journalOps
        let outcome = try LoopbackSync(device: laptop, server: server).run()
        #expect(outcome.caughtUp.device && outcome.caughtUp.server)
        #expect(try laptop.info().journalOps == journal)
        // Hello, welcome, one empty batch each way and their acks.
        #expect(outcome.framesToServer == 3 && outcome.framesToDevice == 3)
    }

    @Test("large histories go in several batches")
    func paging() throws {
        let server = try Self.server(conversations: 250)
        let laptop = try Self.device(0xd1)
        var loop = LoopbackSync(device: laptop, server: server)
        loop.configuration = SyncConfiguration(maxOpsPerBatch: 40)
        let outcome = try loop.run()
        #expect(outcome.failure == nil)
        #expect(outcome.framesToDevice > 250 / 40)
        #expect(try laptop.digest().state == server.digest().state)
    }

    @Test("the sender keeps at most maxBatchesInFlight batches unacknowledged, and loads ahead while they are out")
    func window() throws {
        let server = try Self.server(conversations: 30)
        var session = SyncSession.server(replica: Self.serverID, device: Self.laptopScope,
                                         configuration: SyncConfiguration(maxOpsPerBatch: 5, maxBatchesInFlight: 2))
        _ = session.receive(.hello(Hello(replica: ReplicaID(0xd1), brand: Self.brand, user: Self.dana,
                                         have: VersionVector(), clockMs: 0)), clockMs: 0)
        // Carries out loads at once and returns the batches sent.
        func run(_ actions: [SyncAction]) throws -> [OpBatch] {
            var sent: [OpBatch] = []
            for action in actions {
                switch action {
                case .send(.ops(let batch)): sent.append(batch)
                case .loadOps(let have, let limit):
                    let (ops, more) = try server.encodedOps(missingFrom: have, limit: limit)
                    sent += try run(session.opsLoaded(ops, more: more))
                default: break
                }
            }
            return sent
        }
        var received = try run(session.vectorRead(have: try server.versionVector(), clockMs: 0))
        #expect(received.map(\.batch) == [1, 2], "two batches go before any ack")
        var acked: UInt64 = 0
        while let last = received.last, last.more || acked < last.batch {
            acked += 1
            let more = try run(session.receive(.ack(Ack(have: VersionVector(), batch: acked)), clockMs: 0))
            #expect(more.count <= 1, "one ack frees one slot")
            #expect(UInt64(received.count) - acked + UInt64(more.count) <= 2)
            received += more
        }
        let dots = received.flatMap(\.ops).map(\.dot)
        #expect(dots.count == 33 && Set(dots).count == 33, "every op once, none twice: \(dots.count)")
        #expect(received.map(\.batch) == Array(1...UInt64(received.count)))
        #expect(received.dropLast().allSatisfy(\.more) && received.last?.more == false)
    }

    @Test("what the peer pushed is never loaded to be sent back to it")
    func noEcho() throws {
        let server = try Self.server(conversations: 1)
        let laptop = ReplicaID(0xd1)
        var session = SyncSession.server(replica: Self.serverID, device: Self.laptopScope)
        _ = session.receive(.hello(Hello(replica: laptop, brand: Self.brand, user: Self.dana, have: VersionVector(),
                                         clockMs: 0)), clockMs: 0)
        var loads: [VersionVector] = []
        func run(_ actions: [SyncAction]) throws {
            for action in actions {
                if case .loadOps(let have, let limit) = action {
                    loads.append(have)
                    let (ops, more) = try server.encodedOps(missingFrom: have, limit: limit)
                    try run(session.opsLoaded(ops, more: more))
                }
            }
        }
        try run(session.vectorRead(have: try server.versionVector(), clockMs: 0))
        try run(session.receive(.ack(Ack(have: try server.versionVector(), batch: 1)), clockMs: 0))
        // The laptop pushes one op; the server applies it.
        let reply = Op(dot: Dot(replica: laptop, counter: 1),
                       stamp: HLCTimestamp(wall: 1_800_000_000_100, logical: 0, replica: laptop), deps: [],
                       actor: .user(Self.dana), body: .postMessage(PostMessage(
                           conversation: ConversationID(Dot(replica: Self.serverID, counter: 4)), body: "Hi")))
        #expect(session.receive(.ops(try OpBatch(batch: 1, encoding: [reply], more: false)), clockMs: 0) == [.apply(
            try OpBatch(batch: 1, encoding: [reply], more: false), checkedBy: Self.laptopScope)])
        try server.apply([reply])
        try run(session.applied(batch: 1, have: try server.versionVector()))
        // The server's replica changed (by this very push): the next load starts past the laptop's op.
        try run(session.localChanged())
        let last = try #require(loads.last)
        #expect(last.covers(reply.dot), "the load would send the laptop its own op back: \(last)")
    }

    @Test("an out-of-order batch is a protocol violation")
    func outOfOrderBatch() {
        var session = SyncSession.server(replica: Self.serverID, device: Self.laptopScope)
        _ = session.receive(.hello(Hello(replica: ReplicaID(0xd1), brand: Self.brand, user: Self.dana,
                                         have: VersionVector(), clockMs: 0)), clockMs: 0)
        _ = session.vectorRead(have: VersionVector(), clockMs: 0)
        let actions = session.receive(.ops(OpBatch(batch: 2, ops: [], more: false)), clockMs: 0)
        #expect(actions.contains { if case .failed(let error) = $0 { error.code == .protocolViolation } else { false } })
        #expect(session.isClosed)
    }

    @Test("an unsupported protocol version is refused")
    func unsupportedVersion() {
        var session = SyncSession.server(replica: Self.serverID, device: Self.laptopScope)
        let actions = session.receive(.hello(Hello(protocolVersion: 99, replica: ReplicaID(0xd1), brand: Self.brand,
                                                   user: nil, have: VersionVector(), clockMs: 0)), clockMs: 0)
        #expect(actions.contains(.send(.error(ErrorFrame(code: .unsupportedVersion,
            message: "this server speaks protocol \(WireProtocol.version), not 99", retryable: false)))))
    }
}
