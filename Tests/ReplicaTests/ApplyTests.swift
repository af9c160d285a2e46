import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

@Suite("Apply: idempotent, causal, all or nothing, convergent")
struct ApplyTests {
    @Test("applying the same batch twice: the second time reports duplicates and changes nothing",
          arguments: StoreKind.allCases)
    func idempotent(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let digest = try replica.digest()
        let journal = try store.journalCount
        #expect(journal == seed.ops.count)
        let report = try replica.apply(seed.ops)
        #expect(report == ApplyReport(applied: 0, duplicates: seed.ops.count, held: 0))
        #expect(try replica.digest() == digest)
        #expect(try store.journalCount == journal)
        #expect(try replica.inbox().count == 4, "no second copy of any conversation")
        // A batch holding one op twice applies it once.
        var server = seed.server
        let op = server.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: seed.invoice, body: "Hi")),
                             at: World.base + 9_000)
        #expect(try replica.apply([op, op]) == ApplyReport(applied: 1, duplicates: 1))
        #expect(try replica.row(seed.invoice)?.messageCount == 2)
    }

    @Test("a batch's messages reach the search index together, as one segment", arguments: StoreKind.allCases)
    func searchRowsOncePerBatch(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        // No merging of segments, so that every segment the batch writes stays countable.
        try SearchSegments.keepAll(replica)
        let before = try SearchSegments.count(replica)
        // Each message followed by its delivery state: an INSERT OR REPLACE on a table with a foreign
        // key, whose statement savepoint made FTS5 write out what it held, one segment per message.
        var server = seed.server
        var ops: [Op] = []
        for index in 0..<40 {
            let post = server.make(.user(World.dana.id), .postMessage(PostMessage(
                conversation: seed.invoice, body: "Payment run number \(index) is scheduled")), at: World.base + 9_000 + UInt64(index))
            ops.append(post)
            ops.append(server.make(.platform, .setDelivery(SetDelivery(message: MessageID(post.dot), state: .sent)),
                                   at: World.base + 9_000 + UInt64(index)))
        }
        #expect(try replica.apply(ops) == ApplyReport(applied: 80))
        #expect(try SearchSegments.count(replica) == before + 1)
        #expect(try replica.search("payment scheduled").map(\.id) == [seed.invoice])
        #expect(try replica.verify().ok)
    }

    @Test("a batch rewrites a conversation's summary once, and reads between its messages still count",
          arguments: StoreKind.allCases)
    func summaryOncePerBatch(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        // Partner messages with Dana's reads between them: the last op is a message, so the
        // conversation ends unread, its summary that of the newest message.
        var server = seed.server
        var ops: [Op] = []
        for index in 0..<30 {
            let wall = World.base + 9_000 + UInt64(index) * 10
            ops.append(server.make(.partner(World.alpine.id), .postMessage(PostMessage(
                conversation: seed.invoice, body: "Reminder \(index) about invoice 42")), at: wall))
            if index % 3 == 1 {
                ops.append(server.make(.user(World.dana.id), .markRead(MarkRead(
                    conversation: seed.invoice, marker: VersionVector([World.server: server.counter]))), at: wall + 1))
            }
        }
        // Count the UPDATEs of conversation rows the batch makes (a trigger on the write connection).
        try store.replica.writer.write { db in
            try db.execute(sql: """
                CREATE TEMP TABLE summary_writes (n INTEGER);
                CREATE TEMP TRIGGER count_summary_writes AFTER UPDATE ON main.conversations
                BEGIN INSERT INTO summary_writes VALUES (1); END;
                """)
        }
        #expect(try store.replica.apply(ops) == ApplyReport(applied: 40))
        let writes = try store.replica.writer.write { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM summary_writes") }
        #expect(writes == 1, "one UPDATE of the invoice row for 30 messages and 10 reads")
        try expectSameAsOpByOp(store.replica, ops)
        let row = try #require(try store.replica.row(seed.invoice))
        #expect(row.messageCount == 31 && row.preview == "Reminder 29 about invoice 42" && row.unread)
    }

    @Test("delivery states for a message of the same batch: the last writer wins as across batches",
          arguments: StoreKind.allCases)
    func deliveryInSameBatch(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        var server = seed.server
        let reply = server.make(.user(World.dana.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Paid this morning")), at: World.base + 9_000)
        let queued = server.make(.platform, .setDelivery(SetDelivery(message: MessageID(reply.dot), state: .queued,
                                                                     reason: "relay busy")), at: World.base + 9_100)
        let sent = server.make(.platform, .setDelivery(SetDelivery(message: MessageID(reply.dot), state: .sent)),
                               at: World.base + 9_200)
        // The older state last in the batch (a relayed batch may hold them in any causal order):
        // it must lose to the newer one written before it in the same transaction.
        let stale = TestOp.make(World.samDevice, 1, wall: World.base + 9_050, .platform,
                                .setDelivery(SetDelivery(message: MessageID(reply.dot), state: .failed, reason: "old")))
        let ops = [reply, queued, sent, stale]
        #expect(try store.replica.apply(ops) == ApplyReport(applied: 4))
        try expectSameAsOpByOp(store.replica, ops)
        let message = try #require(try store.replica.thread(seed.invoice, markRead: false).messages.last)
        #expect(message.body == "Paid this morning" && message.delivery == .sent)
    }

    /// `replica`, which has applied the seed and then `ops` in one batch, has the state of a replica
    /// that applied the seed and then `ops` one transaction each, and passes verify.
    /// Two consecutive server ops: partner messages in the invoice thread, `second` right after `first`.
    private static func twoPartnerMessages(_ seed: Seed) -> (first: Op, second: Op) {
        var server = seed.server
        let first = server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Any news?")), at: World.base + 9_000)
        let second = server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Hello?")), at: World.base + 10_000)
        return (first, second)
    }

    private func expectSameAsOpByOp(_ replica: Replica, _ ops: [Op]) throws {
        let (reference, _) = try seededStore(.memory)
        for op in ops { try reference.replica.apply([op]) }
        #expect(try replica.digest() == reference.replica.digest())
        #expect(try replica.verify().ok)
    }

    @Test("an op whose predecessor is missing is held, then applied when it arrives", arguments: StoreKind.allCases)
    func outOfOrder(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let (first, second) = Self.twoPartnerMessages(seed)
        let digest = try replica.digest()
        #expect(try replica.apply([second]) == ApplyReport(applied: 0, duplicates: 0, held: 1))
        #expect(try replica.info().heldOps == 1)
        #expect(try replica.digest() == digest, "a held op changes no state")
        #expect(try replica.versionVector()[World.server] == 12)
        #expect(try replica.row(seed.invoice)?.messageCount == 1)
        // Held again: still one held op.
        #expect(try replica.apply([second]) == ApplyReport(held: 1))
        #expect(try replica.info().heldOps == 1)

        // `second` was held by an earlier batch: released now, it is an op this batch did not carry.
        #expect(try replica.apply([first]) == ApplyReport(applied: 2, duplicates: 0, held: 0, releasedEarlier: 1))
        #expect(try replica.info().heldOps == 0)
        #expect(try replica.versionVector()[World.server] == 14)
        #expect(try replica.thread(seed.invoice, markRead: false).messages.map(\.body)
                == ["When will invoice 42 be paid?", "Any news?", "Hello?"])
        #expect(try replica.row(seed.invoice)?.preview == "Hello?")
        #expect(try replica.apply([second]) == ApplyReport(duplicates: 1))
        #expect(try replica.verify().ok)
    }

    @Test("a batch that brings an op after its successor holds nothing and releases nothing earlier",
          arguments: StoreKind.allCases)
    func outOfOrderInOneBatch(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let (first, second) = Self.twoPartnerMessages(seed)
        #expect(try store.replica.apply([second, second, first]) == ApplyReport(applied: 2, duplicates: 1))
        #expect(try store.replica.info().heldOps == 0)
    }

    @Test("an op whose deps are missing is held until they arrive", arguments: StoreKind.allCases)
    func missingDeps(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        var server = seed.server
        let question = server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Is the PO number right?")), at: World.base + 9_000)
        var tablet = OpMaker(replica: World.tablet)
        let answer = tablet.make(.user(World.dana.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Yes, it is.")), at: World.base + 9_500, deps: [question.dot])
        #expect(try replica.apply([answer]) == ApplyReport(held: 1))
        #expect(try replica.thread(seed.invoice, markRead: false).messages.count == 1)
        #expect(try replica.apply([question]) == ApplyReport(applied: 2, releasedEarlier: 1))
        #expect(try replica.thread(seed.invoice, markRead: false).messages.map(\.body).suffix(2)
                == ["Is the PO number right?", "Yes, it is."])
    }

    @Test("a batch with one invalid op changes nothing at all", arguments: StoreKind.allCases)
    func allOrNothing(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        var server = seed.server
        let newPartner = Partner(id: PartnerID(unchecked: "dune"), name: "Dune Supply", contactEmail: "d@dune.example",
                                 status: .active, statusSince: World.base)
        let batch = [
            server.make(.platform, .upsertPartner(newPartner), at: World.base + 9_000),
            server.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: seed.invoice, body: "Fine")),
                        at: World.base + 9_001),
            server.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: unknownConversation,
                                                                            body: "Lost")), at: World.base + 9_002),
        ]
        try expectRefused(.invalidOp, replica) { try replica.apply(batch) }
        #expect(try replica.partners().count == 4)
        #expect(try replica.info().heldOps == 0)
        // Without the bad op the same ops apply.
        #expect(try replica.apply(Array(batch.prefix(2))) == ApplyReport(applied: 2))
        #expect(try replica.partners().count == 5)

        // An op failing its own checks, after a held one: nothing is held either.
        var later = server
        // (Its predecessor never arrives, so `ahead` would be held.)
        _ = later.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: seed.invoice, body: "x")),
                       at: World.base + 9_100)
        let ahead = later.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: seed.invoice, body: "y")),
                               at: World.base + 9_200)
        var sam = OpMaker(replica: World.samDevice)
        let invalid = sam.make(.user(World.sam.id), .postMessage(PostMessage(conversation: seed.invoice, body: " ")),
                               at: World.base + 9_300)
        try expectRefused(.invalidOp, replica) { try replica.apply([ahead, invalid]) }
        #expect(try replica.info().heldOps == 0)
    }

    /// Two devices of Dana's (laptop, tablet) work offline on the same seed, concurrently; a third
    /// replica of hers receives everything in different causal orders.
    func concurrentHistory() throws -> (seed: [Op], laptop: [Op], tablet: [Op], server: [Op]) {
        let (laptopStore, seed) = try seededStore(.memory)
        let (tabletStore, _) = try seededStore(.memory, identity: World.identity(World.tablet),
                                               clock: FixedClock(milliseconds: World.base - 86_400_000))
        let laptop = laptopStore.replica, tablet = tabletStore.replica
        let sent = try laptop.reply(to: seed.proposal, text: "From the laptop")
        try laptop.saveDraft(seed.invoice, text: "Laptop draft")
        try laptop.markRead(seed.inquiry)
        try laptop.compose(to: World.birch.id, subject: "Samples", text: "Shall we?")
        _ = try laptop.startComposeDraft(to: nil, subject: nil, text: "Idea")

        try tablet.reply(to: seed.invoice, text: "From the tablet")
        try tablet.saveDraft(seed.invoice, text: "Tablet draft")
        try tablet.markRead(seed.proposal)
        try tablet.markUnread(seed.inquiry)
        try tablet.markRead(seed.leftPlatform)

        // The server saw the laptop's reply and reports on its delivery; the partner answers.
        var server = seed.server
        let serverOps = [
            server.make(.platform, .setDelivery(SetDelivery(message: sent, state: .sent)), at: World.base + 70_000,
                        deps: [sent.dot]),
            server.make(.partner(World.alpine.id), .postMessage(PostMessage(conversation: seed.proposal,
                                                                            body: "Great, thanks!")),
                        at: World.base + 71_000),
        ]
        return (seed.ops, try laptop.journalOps(madeBy: World.laptop), try tablet.journalOps(madeBy: World.tablet),
                serverOps)
    }

    @Test("the same ops in different causal orders give the same state", arguments: StoreKind.allCases)
    func convergence(kind: StoreKind) throws {
        let history = try concurrentHistory()
        let orders: [[[Op]]] = [
            [history.seed, history.laptop, history.tablet, history.server],
            [history.seed, history.tablet, history.server, history.laptop],
            [history.seed, history.server, history.tablet, history.laptop],
            [Array((history.seed + history.laptop + history.tablet + history.server).reversed())],
            [Array(history.seed.reversed()), Array(history.tablet.reversed()), history.server,
             Array(history.laptop.reversed())],
        ]
        var digests: [StateDigest] = []
        for (index, order) in orders.enumerated() {
            let store = try makeStore(kind, identity: World.identity(World.desktop))
            for batch in order { try store.replica.apply(batch) }
            #expect(try store.replica.info().heldOps == 0, "order \(index)")
            #expect(try store.replica.info().journalOps
                    == history.seed.count + history.laptop.count + history.tablet.count + history.server.count)
            #expect(try store.replica.verify().ok, "order \(index)")
            digests.append(try store.replica.digest())
            if index == 0 { try checkMergedState(store.replica) }
        }
        #expect(Set(digests.map(\.state)).count == 1, "state digests differ: \(digests.map(\.state))")
        #expect(Set(digests.map(\.summary)).count == 1, "summary digests differ between replicas of one user")
    }

    /// What the merge rules say the concurrent history comes to.
    func checkMergedState(_ replica: Replica) throws {
        let seed = Seed()
        let invoiceDraft = try replica.draft(.conversation(seed.invoice))
        #expect(invoiceDraft.versions.map(\.text).sorted() == ["Laptop draft", "Tablet draft"],
                "concurrent drafts are both kept")
        #expect(try replica.row(seed.inquiry)?.unread == true, "unread wins over a concurrent read")
        #expect(try replica.row(seed.leftPlatform)?.unread == false)
        #expect(try replica.row(seed.proposal)?.unread == true, "the partner's answer came after the tablet's read")
        let proposal = try replica.thread(seed.proposal, markRead: false).messages
        #expect(proposal.map(\.body).suffix(2) == ["From the laptop", "Great, thanks!"])
        #expect(proposal[2].delivery == .sent)
        #expect(try replica.drafts().count == 2, "the invoice draft and the laptop's compose draft")
    }

    @Test("both devices converge with each other after exchanging their ops")
    func devicesConverge() throws {
        let (laptop, seed) = try seededStore(.memory)
        let (tablet, _) = try seededStore(.disk, identity: World.identity(World.tablet))
        try laptop.replica.saveDraft(seed.invoice, text: "Laptop draft")
        try laptop.replica.markUnread(seed.proposal)
        try tablet.replica.markRead(seed.proposal)
        try tablet.replica.saveDraft(seed.invoice, text: "Tablet draft")
        let fromLaptop = try laptop.replica.journalOps(madeBy: World.laptop)
        let fromTablet = try tablet.replica.journalOps(madeBy: World.tablet)
        #expect(try laptop.replica.apply(fromTablet).applied == fromTablet.count)
        #expect(try tablet.replica.apply(fromLaptop).applied == fromLaptop.count)
        #expect(try laptop.replica.digest() == tablet.replica.digest())
        #expect(try laptop.replica.row(seed.proposal)?.unread == true)
        // Resolving the conflict on one device and syncing resolves it on both.
        try tablet.replica.saveDraft(seed.invoice, text: "Merged draft")
        try laptop.replica.apply(try tablet.replica.journalOps(madeBy: World.tablet))
        #expect(try laptop.replica.draft(.conversation(seed.invoice)).versions.map(\.text) == ["Merged draft"])
        #expect(try laptop.replica.digest() == tablet.replica.digest())
    }
}
