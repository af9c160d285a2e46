import Causality
import InboxModel
import OutpostTestSupport
import Replica
import SyncCore
import SyncEngine
import Testing

@Suite("Failpoints placed by batch number and by share of a session")
struct FailpointTests {
    @Test("the OUTPOST_FAILPOINT forms read back as written; anything else is refused")
    func forms() {
        #expect(ArmedFailpoint("after-commit") == ArmedFailpoint(.afterCommit))
        #expect(ArmedFailpoint("after-commit@3") == ArmedFailpoint(.afterCommit, batch: .number(3)))
        #expect(ArmedFailpoint("mid-batch@50%") == ArmedFailpoint(.midBatch, batch: .progress(50)))
        #expect(ArmedFailpoint("after-action") == ArmedFailpoint(.afterAction))
        for text in ["after-commit", "before-commit@2", "mid-batch@100%", "after-action"] {
            #expect(ArmedFailpoint(text)?.description == text)
        }
        for bad in ["later", "after-commit@", "after-commit@0", "after-commit@-1", "after-commit@1.5", "mid-batch@0%",
                    "mid-batch@101%", "after-action@2", "after-commit@2@3", "after-commit@1000001", ""] {
            #expect(ArmedFailpoint(bad) == nil, "\(bad)")
        }
    }

    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let partner = PartnerID(rawValue: "p1")!
    static let clock = FixedClock(milliseconds: 1_800_000_000_000)

    /// A server with 5 platform and partner ops and 60 partner messages: 65 ops.
    static func server() throws -> Replica {
        let server = try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(1), brand: brand, viewer: nil),
                                          clock: clock)
        var maker = OpMaker(replica: ReplicaID(1), wall: 1_800_000_000_001)
        var ops = [
            maker.make(.platform, .setBrand(Brand(id: brand, name: "Northwind"))),
            maker.make(.platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com"))),
            maker.make(.platform, .upsertPartner(Partner(id: partner, name: "Juniper", contactEmail: "j@example.com",
                                                         status: .active, statusSince: 1))),
            maker.make(.platform, .upsertUser(User(id: UserID(rawValue: "sam")!, name: "Sam", email: "s@example.com"))),
        ]
        let start = maker.make(.partner(partner), .startConversation(StartConversation(kind: .direct, partner: partner,
                                                                                       subject: "Samples", body: "0")))
        ops.append(start)
        for index in 1...60 {
            ops.append(maker.make(.partner(partner), .postMessage(PostMessage(conversation: ConversationID(start.dot),
                                                                              body: "note \(index)"))))
        }
        try server.apply(ops)
        return server
    }

    /// A new device's first sync, the server sending 10 ops per batch, both drivers stepped one
    /// frame at a time: how many ops the device holds when it stops, and the point it died at.
    static func firstSync(crashAt: ArmedFailpoint) throws -> (held: UInt64, crashed: Failpoint?) {
        let server = try server()
        let device = try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(0xd1), brand: brand, viewer: dana),
                                          clock: clock)
        let scope = DeviceScope(replica: ReplicaID(0xd1), brand: brand, user: dana)
        var serverDriver = SyncDriver(session: .server(replica: ReplicaID(1), device: scope,
                                                       configuration: SyncConfiguration(maxOpsPerBatch: 10)),
                                      store: server, clock: clock)
        var deviceDriver = SyncDriver(session: .device(replica: ReplicaID(0xd1), brand: brand, user: dana),
                                      store: device, clock: clock, crashAt: crashAt)
        var inFlight: [(up: Bool, bytes: [UInt8])] = deviceDriver.start().frames.map { (true, $0) }
        var caughtUp = (device: false, server: false)
        while !inFlight.isEmpty, !(caughtUp.device && caughtUp.server) {
            let (up, bytes) = inFlight.removeFirst()
            let step = up ? serverDriver.receive(bytes) : deviceDriver.receive(bytes)
            if step.caughtUp { if up { caughtUp.server = true } else { caughtUp.device = true } }
            if case .crashed(let point)? = step.end {
                return (try device.versionVector().entries.values.reduce(0, +), point)
            }
            #expect(step.end == nil, "\(String(describing: step.end))")
            inFlight += step.frames.map { (!up, $0) }
        }
        return (try device.versionVector().entries.values.reduce(0, +), nil)
    }

    @Test("the Nth received batch, or the one that reaches a share of what the device lacked, is the point")
    func placed() throws {
        // 65 ops in batches of 10: the third batch brings 30.
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.afterCommit, batch: .number(3))) == (30, .afterCommit))
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.beforeCommit, batch: .number(2))) == (10, .beforeCommit))
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.midBatch)) == (10, .midBatch))
        // Half of 65 is 32.5: 30 ops fall short, the fourth batch (40) reaches it.
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.midBatch, batch: .progress(50))) == (40, .midBatch))
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.beforeCommit, batch: .progress(50))) == (30, .beforeCommit))
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.afterCommit, batch: .progress(100))) == (65, .afterCommit))
        // The seventh batch is the last (5 ops, nothing behind it): `mid-batch` is not reached.
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.midBatch, batch: .number(7))) == (65, nil))
        // A batch number past the session's last: not reached either.
        #expect(try Self.firstSync(crashAt: ArmedFailpoint(.afterCommit, batch: .number(8))) == (65, nil))
    }
}
