import Causality
import InboxModel
@testable import Replica
import Testing

@Suite("Inbox list, filters and search")
struct InboxTests {
    @Test("rows newest activity first, with partner, subject, preview, date, unread flag and kind",
          arguments: StoreKind.allCases)
    func inboxList(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let rows = try store.replica.inbox()
        #expect(rows.map(\.id) == seed.newestFirst)
        let proposal = try #require(rows.first)
        #expect(proposal.kind == .direct)
        #expect(proposal.partnerID == World.alpine.id)
        #expect(proposal.partnerName == "Alpine Gear Co")
        #expect(proposal.partnerStatus == .active)
        #expect(proposal.subject == "Spring proposal")
        #expect(proposal.preview == Seed.proposalFollowUp, "the preview is of the newest message")
        #expect(proposal.lastActivity == World.base + 5_000)
        #expect(proposal.lastAuthor == .partner(World.alpine.id))
        #expect(proposal.messageCount == 2)
        #expect(proposal.unread)
        #expect(!proposal.hasDraft)
        #expect(proposal.snippet == nil)
        #expect(rows.map(\.kind) == [.direct, .direct, .inquiry, .system])
        #expect(rows.allSatisfy { $0.unread })
        #expect(rows[2].subject == CustomerInquiry.subject)
        #expect(rows[3].partnerName == "Cedar Outdoor" && rows[3].partnerStatus == .ended)
    }

    @Test("paging with limit and offset", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.inbox(InboxFilter(limit: 2)).map(\.id) == Array(seed.newestFirst[0..<2]))
        #expect(try replica.inbox(InboxFilter(limit: 2, offset: 2)).map(\.id) == Array(seed.newestFirst[2..<4]))
        #expect(try replica.inbox(InboxFilter(limit: 3, offset: 3)).map(\.id) == [seed.leftPlatform])
        #expect(try replica.inbox(InboxFilter(limit: 2, offset: 4)).isEmpty)
        #expect(try replica.inbox(InboxFilter(limit: 1, offset: 1)).map(\.id) == [seed.invoice])
    }

    @Test("unread flag follows read and unread marks", arguments: StoreKind.allCases)
    func unreadOnly(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.inbox(InboxFilter(unreadOnly: true)).count == 4)
        try replica.markRead(seed.proposal)
        try replica.markRead(seed.leftPlatform)
        #expect(try replica.inbox(InboxFilter(unreadOnly: true)).map(\.id) == [seed.invoice, seed.inquiry])
        #expect(try replica.row(seed.proposal)?.unread == false)
        try replica.markUnread(seed.proposal)
        #expect(try replica.inbox(InboxFilter(unreadOnly: true)).map(\.id) == [seed.proposal, seed.invoice, seed.inquiry])
        #expect(try replica.info().unreadConversations == 3)
    }

    @Test("filters: partner, status, kind, and all of them together", arguments: StoreKind.allCases)
    func filters(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.inbox(InboxFilter(partner: World.alpine.id)).map(\.id) == [seed.proposal, seed.invoice])
        #expect(try replica.inbox(InboxFilter(partner: World.cedarwood.id)).isEmpty)
        #expect(try replica.inbox(InboxFilter(status: .ended)).map(\.id) == [seed.leftPlatform])
        #expect(try replica.inbox(InboxFilter(status: .pending)).map(\.id) == [seed.inquiry])
        #expect(try replica.inbox(InboxFilter(status: .paused)).isEmpty)
        #expect(try replica.inbox(InboxFilter(kind: .system)).map(\.id) == [seed.leftPlatform])
        #expect(try replica.inbox(InboxFilter(kind: .inquiry)).map(\.id) == [seed.inquiry])
        #expect(try replica.inbox(InboxFilter(kind: .direct)).map(\.id) == [seed.proposal, seed.invoice])
        try replica.markRead(seed.proposal)
        #expect(try replica.inbox(InboxFilter(unreadOnly: true, partner: World.alpine.id, status: .active,
                                              kind: .direct)).map(\.id) == [seed.invoice])
        #expect(try replica.inbox(InboxFilter(partner: World.alpine.id, status: .ended)).isEmpty)
        #expect(try replica.inbox(InboxFilter(partner: World.alpine.id, kind: .inquiry)).isEmpty)
    }

    @Test("search finds subjects, message bodies, partner names and forwarded customer text",
          arguments: StoreKind.allCases)
    func searchSources(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        func ids(_ text: String) throws -> [ConversationID] { try replica.search(text).map(\.id) }
        #expect(try ids("invoice") == [seed.invoice], "subject and body")
        #expect(try ids("catalogue") == [seed.proposal], "the first message's body")
        #expect(try ids("photos") == [seed.proposal], "a later message's body")
        #expect(try ids("proposal") == [seed.proposal, seed.leftPlatform], "subject and a system message body")
        #expect(try ids("Birch") == [seed.inquiry], "partner name")
        #expect(try ids("alpine gear") == [seed.proposal, seed.invoice], "partner name, two words")
        #expect(try ids("Cedarwood").isEmpty, "a partner without conversations")
        #expect(try ids("Maria") == [seed.inquiry], "customer name")
        #expect(try ids("lantern") == [seed.inquiry], "customer's product and text")
        #expect(try ids("paddle") == [seed.inquiry], "customer's text")
        #expect(try ids("Birch Online Shop") == [seed.inquiry], "storefront")
        #expect(try ids("nothing-like-this").isEmpty)
        #expect(try ids("INVOICE") == [seed.invoice], "case-insensitive")
    }

    @Test("search: every word must match; the last also as a prefix", arguments: StoreKind.allCases)
    func searchPrefix(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.search("lant").map(\.id) == [seed.inquiry])
        #expect(try replica.search("spring prop").map(\.id) == [seed.proposal])
        #expect(try replica.search("invo").map(\.id) == [seed.invoice])
        #expect(try replica.search("lant water").isEmpty, "only the last word is a prefix")
        #expect(try replica.search("invoice catalogue").isEmpty, "all words must match")
    }

    @Test("the search is cut into tokens by the index's own tokenizer, one quoted term each")
    func searchTokens() throws {
        let (store, seed) = try seededStore(.memory)
        let expression = try store.replica.writer.read { db in try SearchQuery("Spring, PROPÓSAL", db)?.expression }
        #expect(expression == "\"spring\" AND \"proposal\"*", "folded as the index folds: lower case, no accents")
        #expect(try store.replica.search("Spring, PROPÓSAL").map(\.id) == [seed.proposal])
        #expect(try store.replica.writer.read { db in try SearchQuery("-- ** --", db) } == nil)
    }

    @Test("search results carry a snippet with the match marked", arguments: StoreKind.allCases)
    func snippet(kind: StoreKind) throws {
        let (store, _) = try seededStore(kind)
        let lantern = try #require(try store.replica.search("lantern").first)
        #expect(lantern.snippet?.lowercased().contains("[lantern]") == true, "\(lantern.snippet ?? "nil")")
        let photos = try #require(try store.replica.search("photos").first)
        #expect(photos.snippet?.contains("[photos]") == true, "\(photos.snippet ?? "nil")")
        #expect(photos.preview == Seed.proposalFollowUp)
    }

    @Test("search combines with every filter and pages", arguments: StoreKind.allCases)
    func searchWithFilters(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.search("proposal", filter: InboxFilter(kind: .direct)).map(\.id) == [seed.proposal])
        #expect(try replica.search("proposal", filter: InboxFilter(status: .ended)).map(\.id) == [seed.leftPlatform])
        #expect(try replica.search("proposal", filter: InboxFilter(partner: World.birch.id)).isEmpty)
        #expect(try replica.search("alpine", filter: InboxFilter(limit: 1)).map(\.id) == [seed.proposal])
        #expect(try replica.search("alpine", filter: InboxFilter(limit: 1, offset: 1)).map(\.id) == [seed.invoice])
        #expect(try replica.search("alpine", filter: InboxFilter(limit: 5, offset: 2)).isEmpty)
        try replica.markRead(seed.proposal)
        #expect(try replica.search("alpine", filter: InboxFilter(unreadOnly: true)).map(\.id) == [seed.invoice])
        // `inbox` with a search is the same query.
        #expect(try replica.inbox(InboxFilter(unreadOnly: true, search: "alpine")).map(\.id) == [seed.invoice])
        #expect(try replica.inbox(InboxFilter(search: "   ")).count == 4, "a blank search in the inbox is no search")
    }

    @Test("search orders by the newest match, and pages cut that order with each conversation once",
          arguments: StoreKind.allCases)
    func searchOrderByNewestMatch(kind: StoreKind) throws {
        let (store, initial) = try seededStore(kind)
        var seed = initial
        let replica = store.replica
        // "catalogue": in the proposal's first (old) message, then in a newer reply in the invoice thread,
        // then the proposal gets newer activity that does not mention it.
        try replica.reply(to: seed.invoice, text: "The catalogue lists invoice terms.")
        let later = seed.server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.proposal, body: "Any thoughts on the photos?")), at: World.base + 120_000,
            deps: [try #require(try replica.lastOp()).dot])
        try replica.apply([later])
        let all = try replica.search("catalogue").map(\.id)
        #expect(all == [seed.invoice, seed.proposal], "the newest matching message first, not the newest activity")
        let pages = try (0..<3).flatMap { offset in
            try replica.search("catalogue", filter: InboxFilter(limit: 1, offset: offset)).map(\.id)
        }
        #expect(pages == all, "pages of one row give the same list, each row once")
    }

    @Test("FTS5 syntax in user input is taken literally, never as a query", arguments: [
        "\"spring", "spring\"", "spring*", "(spring", "spring)", "spring AND", "spring OR invoice", "NOT spring",
        "spring NEAR(", "-spring", "^spring", "spring:", "{spring}", "spring + 'x'", "s*p*r",
    ])
    func ftsSyntax(text: String) throws {
        let (store, seed) = try seededStore(.memory)
        let rows = try store.replica.search(text)
        let words = text.split { !($0.isLetter || $0.isNumber) }.map { $0.lowercased() }
        if words == ["spring"] {
            #expect(rows.map(\.id) == [seed.proposal])
        }
        if words.contains("or") || words.contains("and") || words.contains("not") {
            // Operators are plain words that must match: no conversation contains them.
            #expect(rows.isEmpty)
        }
    }

    @Test("input with no words to look for is refused cleanly", arguments: ["\"", "*", "(", ")", "\"\"", "-", ":", "^", "'"])
    func noWords(text: String) throws {
        let (store, _) = try seededStore(.memory)
        try expectRefused(.invalidArgument, store.replica) { _ = try store.replica.search(text) }
        try expectRefused(.invalidArgument, store.replica) { _ = try store.replica.inbox(InboxFilter(search: text)) }
    }

    @Test("preview: one line, cut at 140 characters", arguments: StoreKind.allCases)
    func preview(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        try store.replica.reply(to: seed.invoice, text: "Paid today.\n\nBest,\n  Dana")
        #expect(try store.replica.row(seed.invoice)?.preview == "Paid today. Best, Dana")
        let long = String(repeating: "word ", count: 100)
        try store.replica.reply(to: seed.invoice, text: long)
        let preview = try #require(try store.replica.row(seed.invoice)?.preview)
        #expect(preview.count == 140)
        #expect(preview.hasSuffix("…"))
        #expect(try store.replica.thread(seed.invoice).messages.last?.body == long, "the message itself is whole")
    }
}
