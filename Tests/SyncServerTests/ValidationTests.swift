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
import Wire
@testable import SyncServer

@Suite("Batch validation: forged ops are refused whole", .timeLimit(.minutes(5)))
struct ValidationTests {
    static func start(_ dot: Dot, actor: Principal, wall: UInt64 = SystemClock().nowMilliseconds()) -> Op {
        TestOp.make(dot.replica, dot.counter, wall: wall, actor,
                    .startConversation(StartConversation(kind: .direct, partner: TestWorld.partner, subject: "Forged",
                                                         body: "Not really from this device")))
    }

    @Test("other replica, other user, platform op, far-future stamp: invalid_op and nothing persisted")
    func forgedOverTheSocket() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let forgeries: [@Sendable (ReplicaID) -> Op] = [
            { _ in Self.start(Dot(replica: ReplicaID(0x999), counter: 1), actor: .user(TestWorld.dana)) },
            { me in Self.start(Dot(replica: me, counter: 1), actor: .user(TestWorld.sam)) },
            { me in
                TestOp.make(me, 1, wall: SystemClock().nowMilliseconds(), .platform,
                            .upsertPartner(Partner(id: TestWorld.partner, name: "Hijacked", contactEmail: "x@example.com",
                                                   status: .ended, statusSince: 1)))
            },
            { me in
                Self.start(Dot(replica: me, counter: 1), actor: .user(TestWorld.dana),
                           wall: SystemClock().nowMilliseconds() + 48 * 3_600_000)
            },
        ]
        try await world.app.test(.live) { client in
            for forge in forgeries {
                let device = try world.enroll(TestWorld.dana)
                #expect(try await client.sync(device.replica, token: device.enrollment.token) == .caughtUp)
                let before = try world.brandReplica().digest()
                try device.replica.apply([forge(device.enrollment.replica)])
                #expect(try await client.sync(device.replica, token: device.enrollment.token) == .failed("invalid_op"))
                #expect(try world.brandReplica().digest() == before)
            }
        }
        #expect(world.server.metrics.render().contains(#"outpost_errors_total{code="invalid_op",direction="sent"} 4"#))
    }

    @Test("gaps and redacted stand-ins are refused; duplicates are skipped")
    func contiguity() throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        let me = device.enrollment.replica
        let record = try #require(try world.store.device(me))
        let store = DeviceScopedStore(replica: try world.brandReplica(), device: record, hub: BrandHub(),
                                      metrics: ServerMetrics())
        let scope = record.scope
        let now = SystemClock().nowMilliseconds()
        let first = Self.start(Dot(replica: me, counter: 1), actor: .user(TestWorld.dana))
        let third = Self.start(Dot(replica: me, counter: 3), actor: .user(TestWorld.dana))
        #expect(scope.refusal(of: [third], serverHas: VersionVector(), nowMs: now) != nil)
        #expect(scope.refusal(of: [first, third], serverHas: VersionVector(), nowMs: now) != nil)
        #expect(scope.refusal(of: [first], serverHas: VersionVector(), nowMs: now) == nil)
        var seen = VersionVector()
        seen.advance(Dot(replica: me, counter: 1))
        #expect(scope.refusal(of: [first, Self.start(Dot(replica: me, counter: 2), actor: .user(TestWorld.dana))],
                              serverHas: seen, nowMs: now) == nil)
        var forgedDeps = first
        forgedDeps.deps = [Dot(replica: ReplicaID(0x777), counter: 3)]
        #expect(scope.refusal(of: [forgedDeps], serverHas: VersionVector(), nowMs: now) != nil)
        var redacted = first
        redacted.body = .redacted
        #expect(scope.refusal(of: [redacted], serverHas: VersionVector(), nowMs: now) != nil)
        let vector = try store.applyBatch([try EncodedOp(first)], checkedBy: scope, nowMs: now)
        #expect(vector[me] == 1)
        #expect(throws: ReplicaError.self) { _ = try store.applyBatch([try EncodedOp(third)], checkedBy: scope, nowMs: now) }
        #expect(try world.brandReplica().versionVector()[me] == 1)
        // A message in a conversation the brand does not have is refused by the replica's checks.
        let orphan = TestOp.make(me, 2, wall: SystemClock().nowMilliseconds(), .user(TestWorld.dana),
                                 .postMessage(PostMessage(conversation: ConversationID(Dot(replica: me, counter: 99)),
                                                          body: "to nowhere")))
        #expect(throws: ReplicaError.self) { _ = try store.applyBatch([try EncodedOp(orphan)], checkedBy: scope, nowMs: now) }
        #expect(try world.brandReplica().versionVector()[me] == 1)
    }
}

@Suite("Names, addresses and ids with control characters are refused where they enter")
struct ControlCharacterTests {
    @Test("a partner email with a NUL, a name with a control byte, a device name with a line break")
    func refused() throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let cases: [(String, () throws -> Void)] = [
            ("email with NUL", {
                try world.store.addPartner(brand: TestWorld.northwind, id: PartnerID(rawValue: "p5")!, name: "P5",
                                           email: "p5@inj.example\u{0}evil", status: .active)
            }),
            ("name with a control byte", {
                try world.store.addPartner(brand: TestWorld.northwind, id: PartnerID(rawValue: "p6")!, name: "P\u{1}6",
                                           email: "p6@example.com", status: .active)
            }),
            ("user email with DEL", {
                try world.store.addUser(brand: TestWorld.northwind, id: UserID(rawValue: "eve")!, name: "Eve",
                                        email: "eve@example.com\u{7F}")
            }),
            ("token name with a line break", {
                _ = try world.store.makeAdminToken(name: "ops\nX-Injected: yes", brand: nil)
            }),
        ]
        let before = try world.brandReplica().digest()
        for (name, action) in cases {
            let error = #expect(throws: ServerError.self, "\(name)") { try action() }
            #expect(error?.code == .invalidArgument, "\(name)")
            #expect(error?.message.contains("control character U+00") == true, "\(name): \(error?.message ?? "")")
        }
        #expect(try world.brandReplica().digest() == before)
        #expect(try world.store.adminTokens().isEmpty)
    }
}
