import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

@Suite("Partners")
struct PartnerTests {
    @Test("partners list by name, with counts; status filter", arguments: StoreKind.allCases)
    func partnersList(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let all = try replica.partners()
        #expect(all.map(\.partner) == [World.alpine, World.birch, World.cedar, World.cedarwood])
        #expect(all.map(\.conversations) == [2, 1, 1, 0])
        #expect(all.map(\.unreadConversations) == [2, 1, 1, 0])
        #expect(all.map(\.lastActivity) == [World.base + 5_000, World.base + 3_000, World.base + 2_000, nil])
        #expect(try replica.partners(status: .ended).map(\.partner.id) == [World.cedar.id])
        #expect(try replica.partners(status: .active).map(\.partner.id) == [World.alpine.id])
        #expect(try replica.partners(status: .paused).map(\.partner.id) == [World.cedarwood.id])
        #expect(try replica.partners(status: .pending).map(\.partner.id) == [World.birch.id])
        try replica.markRead(seed.proposal)
        #expect(try replica.partners(status: .active).first?.unreadConversations == 1)
    }

    @Test("partner profile: the info panel and recent conversations", arguments: StoreKind.allCases)
    func profile(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let profile = try replica.partner(World.alpine.id)
        #expect(profile.panel.partner == World.alpine)
        #expect(profile.panel.conversations == 2)
        #expect(profile.panel.messages == 3)
        #expect(profile.panel.unreadConversations == 2)
        #expect(profile.panel.lastActivity == World.base + 5_000)
        #expect(profile.recent.map(\.id) == [seed.proposal, seed.invoice])
        #expect(try replica.partner(World.alpine.id, recent: 1).recent.map(\.id) == [seed.proposal])
        try replica.markRead(seed.invoice)
        #expect(try replica.partner(World.alpine.id).panel.unreadConversations == 1)
        let empty = try replica.partner(World.cedarwood.id)
        #expect(empty.panel.conversations == 0 && empty.panel.messages == 0 && empty.panel.lastActivity == nil)
        #expect(empty.recent.isEmpty)
        #expect(try replica.thread(seed.invoice, markRead: false).partner == replica.partner(World.alpine.id).panel)
    }

    @Test("resolvePartner: by id, exact name, unique prefix", arguments: [
        ("birch", "birch"), ("cedar", "cedar"), ("Cedar Outdoor", "cedar"), ("cedar outdoor", "cedar"),
        ("  Birch & Bloom ", "birch"), ("Alp", "alpine"), ("alpine gear", "alpine"), ("Cedarw", "cedarwood"),
        ("Birch &", "birch"),
    ])
    func resolve(text: String, id: String) throws {
        let (store, _) = try seededStore(.memory)
        #expect(try store.replica.resolvePartner(text) == PartnerID(rawValue: id))
    }

    @Test("resolvePartner: ambiguous, unknown, empty", arguments: [
        ("Cedar", ReplicaError.Code.invalidArgument), ("C", .invalidArgument), ("Zed", .unknownPartner),
        ("%", .unknownPartner), ("_lpine", .unknownPartner), ("", .invalidArgument), ("   ", .invalidArgument),
        ("alpine2", .unknownPartner),
    ])
    func resolveRefused(text: String, code: ReplicaError.Code) throws {
        let (store, _) = try seededStore(.memory)
        try expectRefused(code, store.replica) { _ = try store.replica.resolvePartner(text) }
    }

    @Test("an ambiguous name lists the candidates")
    func ambiguousMessage() throws {
        let (store, _) = try seededStore(.memory)
        let error = #expect(throws: ReplicaError.self) { try store.replica.resolvePartner("Cedar") }
        #expect(error?.message.contains("cedar") == true && error?.message.contains("cedarwood") == true)
    }

    @Test("a renamed partner: the newest write wins, search and inbox follow", arguments: StoreKind.allCases)
    func rename(kind: StoreKind) throws {
        let (store, initial) = try seededStore(kind)
        var seed = initial
        let replica = store.replica
        var renamed = World.alpine
        renamed.name = "Alpine Outfitters"
        renamed.status = .paused
        try replica.apply([seed.server.make(.platform, .upsertPartner(renamed), at: World.base + 100_000)])
        #expect(try replica.partner(World.alpine.id).panel.partner == renamed)
        #expect(try replica.inbox().first?.partnerName == "Alpine Outfitters")
        #expect(try replica.search("outfitters").map(\.id) == [seed.proposal, seed.invoice])
        #expect(try replica.search("gear").isEmpty)
        #expect(try replica.inbox(InboxFilter(status: .paused)).map(\.id) == [seed.proposal, seed.invoice])
        // An older write (by HLC) from another server replica, arriving late, loses.
        var other = OpMaker(replica: ReplicaID(2))
        try replica.apply([other.make(.platform, .upsertPartner(World.alpine), at: World.base + 50_000)])
        #expect(try replica.partner(World.alpine.id).panel.partner == renamed)
        #expect(try replica.verify().ok)
    }
}
