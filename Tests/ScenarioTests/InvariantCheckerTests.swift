import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Replica
@testable import Scenario
import Testing

/// The invariant checker reads only what a replica's journal gained since its last check, and
/// still finds what is wrong, in a full check and in a check of the touched conversations alone.
@Suite("Invariant checker")
struct InvariantCheckerTests {
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let partner = PartnerID(rawValue: "p1")!

    /// A device replica in a file, with the brand, Dana and a partner applied, and the server's op maker.
    static func device() throws -> (SimNode, OpMaker) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("invariants-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = NodeClock(base: VirtualClock(startMs: 1_800_000_000_000), offsetMs: 0)
        let node = try SimNode(name: "laptop", identity: ReplicaIdentity(replica: ReplicaID(0xd1), brand: brand, viewer: dana),
                               directory: directory, clock: clock)
        var server = OpMaker(replica: ReplicaID(1), wall: 1_800_000_000_001)
        try node.replica.apply([
            server.make(.platform, .setBrand(Brand(id: brand, name: "Northwind"))),
            server.make(.platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com"))),
            server.make(.platform, .upsertPartner(Partner(id: partner, name: "Juniper", contactEmail: "j@example.com",
                                                         status: .active, statusSince: 1))),
        ])
        return (node, server)
    }

    @Test("a correct replica has no problems, checked in full or by the conversations its new ops touch",
          arguments: [true, false])
    func correct(full: Bool) throws {
        let (node, server) = try Self.device()
        var maker = server
        var checker = InvariantChecker()
        #expect(try checker.check(node, full: true).isEmpty)
        let start = maker.make(.partner(Self.partner), .startConversation(StartConversation(
            kind: .direct, partner: Self.partner, subject: "Samples", body: "Did they arrive?")))
        try node.replica.apply([start])
        #expect(try checker.check(node, full: full).isEmpty)
        _ = try node.replica.reply(to: ConversationID(start.dot), text: "Yes")
        try node.replica.markRead(ConversationID(start.dot))
        try node.replica.saveDraft(ConversationID(start.dot), text: "Also")
        #expect(try checker.check(node, full: full).isEmpty)
    }

    @Test("an op stamped before an op in its causal past is found (its thread would show it above that op)",
          arguments: [true, false])
    func stampedBeforeItsPast(full: Bool) throws {
        let (node, server) = try Self.device()
        var maker = server
        var checker = InvariantChecker()
        #expect(try checker.check(node, full: true).isEmpty)
        let start = maker.make(.partner(Self.partner), .startConversation(StartConversation(
            kind: .direct, partner: Self.partner, subject: "Samples", body: "First")), at: 1_800_000_100_000)
        // The next op of the same replica, stamped a minute earlier: a clock that went backwards.
        let later = maker.make(.partner(Self.partner), .postMessage(PostMessage(conversation: ConversationID(start.dot),
                                                                                body: "Second")), at: 1_800_000_000_010)
        var early = later
        early.stamp = HLCTimestamp(wall: 1_800_000_040_000, logical: 0, replica: later.dot.replica)
        try node.replica.apply([start, early])
        let problems = try checker.check(node, full: full)
        #expect(problems.contains { $0.contains("op \(early.dot) is stamped") && $0.contains("not after \(start.dot)") },
                "\(problems)")
    }
}
