import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Replica
import Testing

/// The merge vectors of `Protocol/vectors/merge/` (format: Protocol/vectors/README.md): ops per
/// replica, several delivery orders, and the expected state. Each order is applied, batch by batch,
/// to a fresh in-memory replica; every order must give the expected state digest and summary.
///
/// The scenarios below are the source; `OUTPOST_WRITE_VECTORS=1` rewrites the files from them,
/// after checking that every order gives the hand-written summary. Normally the test only reads.
@Suite("Merge vectors")
struct MergeVectorTests {
    // MARK: File format

    struct ReplicaOps: Codable, Equatable {
        var replica: ReplicaID
        var ops: [Op]
    }

    /// One way the ops may arrive: batches applied one after the other, each with `Replica.apply`.
    /// A dot may appear more than once (duplicate delivery) and before its causal past (held).
    struct Order: Codable, Equatable {
        var name: String
        var batches: [[Dot]]
    }

    struct ConversationState: Codable, Equatable {
        var id: ConversationID
        /// Message ids in thread order.
        var messages: [MessageID]
        /// Unread for the viewer.
        var unread: Bool
        /// The viewer's live draft versions for this conversation, oldest stamp first.
        var draft: [Dot]
    }

    struct ComposeDraftState: Codable, Equatable {
        var key: DraftKey
        var versions: [Dot]
    }

    struct PartnerState: Codable, Equatable {
        var id: PartnerID
        var name: String
        var status: PartnershipStatus
    }

    struct Expected: Codable, Equatable {
        /// `Replica.digest().state` (SHA-256, REPLICA_SCHEMA.md): identical for every order.
        var digest: String
        var conversations: [ConversationState]
        var composeDrafts: [ComposeDraftState]
        var partners: [PartnerState]
    }

    struct Vector: Codable, Equatable {
        var description: String
        var brand: BrandID
        /// The user whose read state and drafts the summary shows.
        var viewer: UserID
        var replicas: [ReplicaOps]
        var orders: [Order]
        var expected: Expected
    }

    // MARK: Tests

    static let folder = Repository.url("Protocol/vectors/merge")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted()
    }

    static func json(_ vector: Vector) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(vector) + Data([0x0A])
    }

    @Test("the committed merge vectors are exactly the defined scenarios (OUTPOST_WRITE_VECTORS=1 rewrites them)")
    func definitionsMatchFiles() throws {
        let scenarios = Self.scenarios
        if ProcessInfo.processInfo.environment["OUTPOST_WRITE_VECTORS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            for (name, scenario) in scenarios {
                var vector = scenario
                var digests: Set<String> = []
                for order in vector.orders {
                    let (digest, summary) = try Self.run(vector, order)
                    digests.insert(digest)
                    #expect(summary.conversations == vector.expected.conversations, "\(name), \(order.name)")
                    #expect(summary.composeDrafts == vector.expected.composeDrafts, "\(name), \(order.name)")
                    #expect(summary.partners == vector.expected.partners, "\(name), \(order.name)")
                }
                #expect(digests.count == 1, "\(name): orders disagree")
                vector.expected.digest = digests.first ?? ""
                try Self.json(vector).write(to: Self.folder.appendingPathComponent("\(name).json"), options: .atomic)
            }
        }
        #expect(Set(Self.names) == Set(scenarios.keys.map { "\($0).json" }))
        for (name, scenario) in scenarios {
            let data = try Data(contentsOf: Self.folder.appendingPathComponent("\(name).json"))
            var vector = try JSONDecoder().decode(Vector.self, from: data)
            vector.expected.digest = ""
            #expect(vector == scenario, "\(name).json differs from its definition")
        }
    }

    @Test("every delivery order of a merge vector gives the expected state", arguments: names)
    func replay(name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        let vector = try JSONDecoder().decode(Vector.self, from: data)
        #expect(vector.orders.count >= 2)
        let allDots = Set(vector.replicas.flatMap { $0.ops.map(\.dot) })
        for order in vector.orders {
            #expect(Set(order.batches.joined()) == allDots, "\(name), \(order.name): every op is delivered")
            let (digest, summary) = try Self.run(vector, order)
            #expect(digest == vector.expected.digest, "\(name), \(order.name): state digest")
            #expect(summary.conversations == vector.expected.conversations, "\(name), \(order.name)")
            #expect(summary.composeDrafts == vector.expected.composeDrafts, "\(name), \(order.name)")
            #expect(summary.partners == vector.expected.partners, "\(name), \(order.name)")
        }
    }

    @Test("the merge vectors cover the rules they are meant to")
    func coverage() {
        #expect(Set(Self.names).isSuperset(of: [
            "read-vs-unread.json", "read-clears-unread.json", "concurrent-draft-edits.json",
            "send-supersedes-seen.json", "duplicate-delivery.json", "partner-status-lww.json",
        ]))
    }

    /// Applies `order` to a fresh replica (its own id `f0`, viewer `vector.viewer`) and reads the state.
    static func run(_ vector: Vector, _ order: Order) throws -> (String, Expected) {
        let replica = try Replica.inMemory(
            identity: ReplicaIdentity(replica: ReplicaID(0xf0), brand: vector.brand, viewer: vector.viewer),
            clock: FixedClock(milliseconds: base + 10_000_000))
        var byDot: [Dot: Op] = [:]
        for list in vector.replicas {
            for op in list.ops {
                #expect(op.dot.replica == list.replica)
                byDot[op.dot] = op
            }
        }
        for batch in order.batches {
            try replica.apply(batch.map { byDot[$0]! })
        }
        #expect(try replica.info().heldOps == 0, "\(order.name): ops still held at the end")
        #expect(try replica.verify().ok, "\(order.name): rebuilding from the journal gives another state")
        var conversations: [ConversationState] = []
        for row in try replica.inbox(InboxFilter(limit: 10_000)).sorted(by: { $0.id < $1.id }) {
            let thread = try replica.thread(row.id, markRead: false)
            conversations.append(ConversationState(
                id: row.id, messages: thread.messages.map(\.id), unread: row.unread,
                draft: try replica.draft(.conversation(row.id)).versions.map(\.version)))
            #expect(thread.unread == row.unread)
        }
        let compose = try replica.drafts().filter(\.key.isCompose).sorted { $0.key < $1.key }
            .map { ComposeDraftState(key: $0.key, versions: $0.versions.map(\.version)) }
        let partners = try replica.partners().sorted { $0.partner.id < $1.partner.id }
            .map { PartnerState(id: $0.partner.id, name: $0.partner.name, status: $0.partner.status) }
        let summary = Expected(digest: "", conversations: conversations, composeDrafts: compose, partners: partners)
        return (try replica.digest().state, summary)
    }

    // MARK: Scenarios

    static let base: UInt64 = 1_800_000_000_000
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let p1 = PartnerID(rawValue: "p1-juniper")!
    static let p2 = PartnerID(rawValue: "p2-birch")!
    static let server = ReplicaID(1)
    static let server2 = ReplicaID(2)
    static let d1 = ReplicaID(0xd1)
    static let d2 = ReplicaID(0xd2)

    static func dot(_ replica: ReplicaID, _ counter: UInt64) -> Dot { Dot(replica: replica, counter: counter) }

    /// Builds ops replica by replica, numbering each replica's ops 1, 2, 3…
    struct Builder {
        var lists: [ReplicaID: [Op]] = [:]

        @discardableResult
        mutating func add(_ replica: ReplicaID, wall: UInt64, logical: UInt32 = 0, deps: [Dot] = [],
                          _ actor: Principal, _ body: OpBody) -> Dot {
            let dot = Dot(replica: replica, counter: UInt64((lists[replica]?.count ?? 0) + 1))
            lists[replica, default: []].append(Op(
                dot: dot, stamp: HLCTimestamp(wall: base + wall, logical: logical, replica: replica), deps: deps,
                actor: actor, body: body))
            return dot
        }

        /// The server's setup: brand (1:1), user dana (1:2), partner p1 (1:3), and a conversation that
        /// p1 starts (1:4).
        static func withSetup() -> Builder {
            var builder = Builder()
            builder.add(server, wall: 1, .platform, .setBrand(Brand(id: brand, name: "Northwind")))
            builder.add(server, wall: 2, .platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com")))
            builder.add(server, wall: 3, .platform, .upsertPartner(Partner(
                id: p1, name: "Juniper", contactEmail: "j@example.com", status: .active, statusSince: base)))
            builder.add(server, wall: 4, .partner(p1), .startConversation(StartConversation(
                kind: .direct, partner: p1, subject: "Samples", body: "The samples arrived; two are damaged.")))
            return builder
        }

        var replicas: [ReplicaOps] {
            lists.keys.sorted().map { ReplicaOps(replica: $0, ops: lists[$0]!) }
        }

        var serverSetup: [Dot] { (1...4).map { dot(server, UInt64($0)) } }
    }

    static let conversation = ConversationID(dot(server, 4))

    static func vector(_ description: String, _ builder: Builder, orders: [(String, [[Dot]])],
                       conversations: [ConversationState], compose: [ComposeDraftState] = [],
                       partners: [PartnerState] = [PartnerState(id: p1, name: "Juniper", status: .active)]) -> Vector {
        Vector(description: description, brand: brand, viewer: dana, replicas: builder.replicas,
               orders: orders.map { Order(name: $0.0, batches: $0.1) },
               expected: Expected(digest: "", conversations: conversations, composeDrafts: compose, partners: partners))
    }

    static var scenarios: [String: Vector] {
        [
            "read-vs-unread": readVersusUnread,
            "read-clears-unread": readClearsUnread,
            "concurrent-draft-edits": concurrentDraftEdits,
            "send-supersedes-seen": sendSupersedesSeen,
            "duplicate-delivery": duplicateDelivery,
            "partner-status-lww": partnerStatusLWW,
        ]
    }

    static var readVersusUnread: Vector {
        var b = Builder.withSetup()
        let invoice = b.add(server, wall: 5, .partner(p1), .startConversation(StartConversation(
            kind: .direct, partner: p1, subject: "Invoice", body: "Invoice 2291 attached.")))
        let read = b.add(d1, wall: 100, deps: [invoice], .user(dana), .markRead(MarkRead(
            conversation: conversation, marker: VersionVector([server: 4]))))
        let readInvoice = b.add(d1, wall: 101, .user(dana), .markRead(MarkRead(
            conversation: ConversationID(invoice), marker: VersionVector([server: 5]))))
        let unread = b.add(d2, wall: 90, deps: [invoice], .user(dana), .markUnread(MarkUnread(conversation: conversation)))
        let setup = b.serverSetup + [invoice]
        return vector(
            "Dana reads conversation 1:4 on d1 while d2, offline, marks it unread: the read did not see the mark "
                + "(clears is empty), so unread wins on every replica. Conversation 1:5, read on d1 only, is read.",
            b, orders: [
                ("d1 then d2", [setup, [read, readInvoice], [unread]]),
                ("d2 then d1", [setup, [unread], [read, readInvoice]]),
                ("device ops before the server's (held until their past arrives)", [[unread, read, readInvoice], setup]),
                ("with duplicates", [setup + [read], [unread, read, readInvoice], setup + [unread]]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [MessageID(dot(server, 4))], unread: true, draft: []),
                ConversationState(id: ConversationID(invoice), messages: [MessageID(invoice)], unread: false, draft: []),
            ])
    }

    static var readClearsUnread: Vector {
        var b = Builder.withSetup()
        let unread = b.add(d2, wall: 90, deps: [dot(server, 4)], .user(dana),
                           .markUnread(MarkUnread(conversation: conversation)))
        let read = b.add(d1, wall: 100, deps: [dot(server, 4), unread], .user(dana), .markRead(MarkRead(
            conversation: conversation, marker: VersionVector([server: 4]), clears: [unread])))
        let setup = b.serverSetup
        return vector(
            "d2 marks conversation 1:4 unread (d2:1); d1 receives the mark, then Dana opens the thread on d1: its "
                + "read clears d2:1, which it had seen. Read everywhere, whatever the delivery order.",
            b, orders: [
                ("causal order", [setup, [unread], [read]]),
                ("the read first (held until d2:1 arrives)", [setup, [read], [unread]]),
                ("everything in one batch, reversed", [[read, unread] + setup.reversed()]),
                ("with duplicates", [setup, [unread, unread], [read, unread], setup + [read]]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [MessageID(dot(server, 4))], unread: false, draft: []),
            ])
    }

    static var concurrentDraftEdits: Vector {
        var b = Builder.withSetup()
        let key = DraftKey.conversation(conversation)
        let first = b.add(d1, wall: 200, deps: [dot(server, 4)], .user(dana),
                          .saveDraft(SaveDraft(key: key, text: "Hi, the box")))
        // d2 has d1:1 and edits it; concurrently d1 edits it too.
        let onTablet = b.add(d2, wall: 210, deps: [dot(server, 4), first], .user(dana),
                             .saveDraft(SaveDraft(key: key, text: "Hi, the box ships Monday", supersedes: [first])))
        let onLaptop = b.add(d1, wall: 220, .user(dana),
                             .saveDraft(SaveDraft(key: key, text: "Hi, the box is replaced", supersedes: [first])))
        // A new-message draft, edited on both devices after both had its first version.
        let composeFirst = b.add(d1, wall: 230, .user(dana), .saveDraft(SaveDraft(
            key: .compose(dot(d1, 3)), text: "Spring catalogue attached", partner: p1, subject: "Catalogue")))
        let composeKey = DraftKey.compose(composeFirst)
        let composeLaptop = b.add(d1, wall: 240, .user(dana), .saveDraft(SaveDraft(
            key: composeKey, text: "Spring catalogue attached, prices in EUR", partner: p1, subject: "Catalogue",
            supersedes: [composeFirst])))
        let composeTablet = b.add(d2, wall: 235, deps: [composeFirst], .user(dana), .saveDraft(SaveDraft(
            key: composeKey, text: "Spring catalogue attached (2 files)", partner: p1, subject: "Catalogue",
            supersedes: [composeFirst])))
        let setup = b.serverSetup
        return vector(
            "Concurrent edits of one draft on two devices are both kept (a visible conflict), for a conversation "
                + "draft (MERGE_RULES.md rule 3 example) and for a new-message draft (key new:d1:3).",
            b, orders: [
                ("laptop first", [setup, [first, onLaptop, composeFirst, composeLaptop], [onTablet, composeTablet]]),
                ("tablet first", [setup, [first, composeFirst], [onTablet, composeTablet], [onLaptop, composeLaptop]]),
                ("tablet ops before their past (held)", [[onTablet, composeTablet], setup,
                                                         [first, onLaptop, composeFirst, composeLaptop]]),
                ("with duplicates", [setup + [first], [first, onTablet], [onLaptop, onTablet, composeFirst],
                                     [composeTablet, composeLaptop, composeFirst]]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [MessageID(dot(server, 4))], unread: true,
                                  draft: [onTablet, onLaptop]),
            ],
            compose: [ComposeDraftState(key: composeKey, versions: [composeTablet, composeLaptop])])
    }

    static var sendSupersedesSeen: Vector {
        var b = Builder.withSetup()
        let key = DraftKey.conversation(conversation)
        let draft = b.add(d1, wall: 300, deps: [dot(server, 4)], .user(dana),
                          .saveDraft(SaveDraft(key: key, text: "Thanks, I will check")))
        let tabletEdit = b.add(d2, wall: 310, deps: [dot(server, 4), draft], .user(dana),
                               .saveDraft(SaveDraft(key: key, text: "Thanks, I will check the pallet",
                                                    supersedes: [draft])))
        let reply = b.add(d1, wall: 320, .user(dana), .postMessage(PostMessage(
            conversation: conversation, body: "Thanks, I will check today", supersedes: [draft])))
        // A new-message draft sent from d1 while d2 edits it.
        let compose = b.add(d1, wall: 330, .user(dana), .saveDraft(SaveDraft(
            key: .compose(dot(d1, 3)), text: "New price list", partner: p1, subject: "Prices")))
        let composeEdit = b.add(d2, wall: 335, deps: [compose], .user(dana), .saveDraft(SaveDraft(
            key: .compose(compose), text: "New price list, valid from May", partner: p1, subject: "Prices",
            supersedes: [compose])))
        let sent = b.add(d1, wall: 340, .user(dana), .startConversation(StartConversation(
            kind: .direct, partner: p1, subject: "Prices", body: "New price list", draft: .compose(compose),
            supersedes: [compose])))
        let setup = b.serverSetup
        return vector(
            "Sending supersedes only the draft versions the sender had seen: d1 replies with the draft d1:1 while "
                + "d2 edits it (d2:1), and d1 sends its new-message draft while d2 edits it (d2:2). Both edits survive "
                + "as drafts; the reply and the new conversation d1:4 exist once.",
            b, orders: [
                ("laptop first", [setup, [draft, reply, compose, sent], [tabletEdit, composeEdit]]),
                ("tablet edits first", [setup, [draft, compose], [tabletEdit, composeEdit], [reply, sent]]),
                ("sends before the saves they supersede (held)", [[reply, sent], setup, [tabletEdit, composeEdit],
                                                                  [draft, compose]]),
                ("with duplicates", [setup, [draft, reply, draft], [tabletEdit, compose, sent, composeEdit],
                                     [reply, sent, tabletEdit]]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [MessageID(dot(server, 4)), MessageID(reply)],
                                  unread: true, draft: [tabletEdit]),
                ConversationState(id: ConversationID(sent), messages: [MessageID(sent)], unread: false, draft: []),
            ],
            compose: [ComposeDraftState(key: .compose(compose), versions: [composeEdit])])
    }

    static var duplicateDelivery: Vector {
        var b = Builder.withSetup()
        let partnerPost = b.add(server, wall: 1_000, .partner(p1), .postMessage(PostMessage(
            conversation: conversation, body: "Photos of the damaged boxes attached.")))
        // d2's clock is a day behind: its HLC still stamps the reply after the message it answers.
        let tabletReply = b.add(d2, wall: 1_000, logical: 1, deps: [partnerPost], .user(dana), .postMessage(PostMessage(
            conversation: conversation, body: "Got them, thank you.")))
        let laptopReply = b.add(d1, wall: 61_000, deps: [partnerPost], .user(dana), .postMessage(PostMessage(
            conversation: conversation, body: "Replacements ship Monday.")))
        let delivered = b.add(server, wall: 62_000, deps: [tabletReply, laptopReply], .platform, .setDelivery(SetDelivery(
            message: MessageID(laptopReply), state: .sent)))
        let read = b.add(d1, wall: 63_000, deps: [tabletReply, delivered], .user(dana), .markRead(MarkRead(
            conversation: conversation, marker: VersionVector([server: 5, d1: 1, d2: 1]))))
        let setup = b.serverSetup
        let all = setup + [partnerPost, tabletReply, laptopReply, delivered, read]
        return vector(
            "The same ops delivered again and again (a lost acknowledgement, a retried batch, the same op twice "
                + "in one batch) never make a second copy: one conversation, three replies, one delivery state. "
                + "d2's reply, made with a clock a day behind, still sorts after the message it answers.",
            b, orders: [
                ("once, in causal order", [all]),
                ("every op twice in one batch", [all.flatMap { [$0, $0] }]),
                ("the whole history twice", [all, all]),
                ("overlapping retries", [setup, setup + [partnerPost, tabletReply], [partnerPost, laptopReply, delivered],
                                         [tabletReply, laptopReply, delivered, read], all.reversed()]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [
                    MessageID(dot(server, 4)), MessageID(partnerPost), MessageID(tabletReply), MessageID(laptopReply),
                ], unread: false, draft: []),
            ])
    }

    static var partnerStatusLWW: Vector {
        var b = Builder.withSetup()
        let second = b.add(server, wall: 5, .platform, .upsertPartner(Partner(
            id: p2, name: "Birch", contactEmail: "b@example.com", status: .active, statusSince: base)))
        // Two server nodes (replicas 1 and 2) write p1's status concurrently: the greater stamp wins.
        let paused = b.add(server, wall: 500, .platform, .upsertPartner(Partner(
            id: p1, name: "Juniper", contactEmail: "j@example.com", status: .paused, statusSince: base + 500)))
        let ended = b.add(server2, wall: 400, deps: [second], .platform, .upsertPartner(Partner(
            id: p1, name: "Juniper & Co", contactEmail: "j@example.com", status: .ended, statusSince: base + 400)))
        // Equal wall and logical: the tie goes to the greater replica id (2).
        let tieOne = b.add(server, wall: 700, .platform, .upsertPartner(Partner(
            id: p2, name: "Birch", contactEmail: "b@example.com", status: .ended, statusSince: base + 700)))
        let tieTwo = b.add(server2, wall: 700, .platform, .upsertPartner(Partner(
            id: p2, name: "Birch Supply", contactEmail: "b@example.com", status: .paused, statusSince: base + 700)))
        let setup = b.serverSetup + [second]
        return vector(
            "Partner facts are last-writer-wins by HLC stamp. p1: 1:6 (paused, wall +500) beats 2:1 (ended, wall "
                + "+400) in either order. p2: 1:7 and 2:2 have equal wall and logical; the greater replica id wins "
                + "(2:2, paused, renamed Birch Supply).",
            b, orders: [
                ("node 1 first", [setup, [paused, tieOne], [ended, tieTwo]]),
                ("node 2 first", [setup, [ended, tieTwo], [paused, tieOne]]),
                ("interleaved, losers last", [setup, [tieTwo, paused], [ended, tieOne]]),
                ("with duplicates", [setup, [ended, ended, tieTwo], [paused, tieOne, ended], [tieTwo, paused]]),
            ],
            conversations: [
                ConversationState(id: conversation, messages: [MessageID(dot(server, 4))], unread: true, draft: []),
            ],
            partners: [
                PartnerState(id: p1, name: "Juniper", status: .paused),
                PartnerState(id: p2, name: "Birch Supply", status: .paused),
            ])
    }
}
