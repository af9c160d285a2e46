import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

@Suite("Thread view and read state")
struct ThreadTests {
    @Test("messages in order, author names, kind, partner panel", arguments: StoreKind.allCases)
    func threadView(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let view = try store.replica.thread(seed.proposal, markRead: false)
        #expect(view.id == seed.proposal)
        #expect(view.kind == .direct)
        #expect(view.subject == "Spring proposal")
        #expect(view.startedBy == .partner(World.alpine.id))
        #expect(view.inquiry == nil)
        #expect(view.messages.map(\.id.dot) == [seed.proposal.dot, Dot(replica: World.server, counter: 12)])
        #expect(view.messages.map(\.authorName) == ["Alpine Gear Co", "Alpine Gear Co"])
        #expect(view.messages.map(\.body) == ["Here is our proposal for the spring catalogue.", Seed.proposalFollowUp])
        #expect(view.messages.map(\.time) == [World.base + 1_000, World.base + 5_000])
        #expect(view.messages.allSatisfy { !$0.isOwn && $0.delivery == nil })
        #expect(view.draft.isEmpty)
        #expect(view.partner.partner == World.alpine)
        #expect(view.partner.conversations == 2)
        #expect(view.partner.messages == 3)
        #expect(view.partner.lastActivity == World.base + 5_000)

        let inquiry = try store.replica.thread(seed.inquiry, markRead: false)
        #expect(inquiry.kind == .inquiry)
        #expect(inquiry.inquiry == World.inquiry)
        #expect(inquiry.partner.partner.status == .pending)

        let system = try store.replica.thread(seed.leftPlatform, markRead: false)
        #expect(system.kind == .system)
        #expect(system.startedBy == .platform)
        #expect(system.messages.map(\.authorName) == ["Platform"])
    }

    @Test("unread per message; opening marks read, a second open writes no op", arguments: StoreKind.allCases)
    func openMarksRead(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let peek = try replica.thread(seed.proposal, markRead: false)
        #expect(peek.unread)
        #expect(peek.messages.map(\.unread) == [true, true])
        let journal = try store.journalCount

        let opened = try replica.thread(seed.proposal)
        #expect(!opened.unread)
        #expect(opened.messages.allSatisfy { !$0.unread })
        #expect(try store.journalCount == journal + 1)
        let op = try #require(try replica.lastOp())
        #expect(op.kind == .markRead && op.actor == .user(World.dana.id) && op.dot.replica == World.laptop)
        #expect(try replica.row(seed.proposal)?.unread == false)

        _ = try replica.thread(seed.proposal)
        #expect(try store.journalCount == journal + 1, "a second open changes nothing")
        #expect(try replica.markRead(seed.proposal) == false)
        #expect(try store.journalCount == journal + 1)

        // A new message from the partner makes only that message unread.
        var server = seed.server
        try replica.apply([server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.proposal, body: "One more thing.")), at: World.base + 90_000)])
        let after = try replica.thread(seed.proposal, markRead: false)
        #expect(after.unread)
        #expect(after.messages.map(\.unread) == [false, false, true])
    }

    @Test("mark unread, then mark read", arguments: StoreKind.allCases)
    func unreadThenRead(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        #expect(try replica.markRead(seed.invoice))
        #expect(try replica.row(seed.invoice)?.unread == false)
        let journal = try store.journalCount
        #expect(try replica.markUnread(seed.invoice))
        #expect(try replica.row(seed.invoice)?.unread == true)
        #expect(try replica.thread(seed.invoice, markRead: false).unread)
        #expect(try store.journalCount == journal + 1)
        #expect(try replica.markUnread(seed.invoice) == false, "already marked unread")
        #expect(try store.journalCount == journal + 1)
        #expect(try replica.markRead(seed.invoice))
        #expect(try replica.row(seed.invoice)?.unread == false)
        let read = try #require(try replica.lastOp())
        guard case .markRead(let body) = read.body else { Issue.record("not a read: \(read)"); return }
        #expect(body.clears == [Dot(replica: World.laptop, counter: 2)], "the read clears the mark it saw")
        #expect(try store.journalCount == journal + 2)
    }

    @Test("own messages: never unread, delivery pending until the server reports", arguments: StoreKind.allCases)
    func deliveryState(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        try replica.markRead(seed.invoice)
        let first = try replica.reply(to: seed.invoice, text: "Paid today.")
        let second = try replica.reply(to: seed.invoice, text: "Receipt attached.")
        var view = try replica.thread(seed.invoice, markRead: false)
        #expect(!view.unread)
        let own = view.messages.filter(\.isOwn)
        #expect(own.map(\.id) == [first, second])
        #expect(own.allSatisfy { $0.delivery == .pending && !$0.unread && $0.authorName == "Dana Whitfield" })
        #expect(view.messages[0].delivery == nil, "a partner's message has no delivery state")

        var server = seed.server
        try replica.apply([
            server.make(.platform, .setDelivery(SetDelivery(message: first, state: .sent)), at: World.base + 70_000,
                        deps: [second.dot]),
            server.make(.platform, .setDelivery(SetDelivery(message: second, state: .failed, reason: "mailbox full")),
                        at: World.base + 70_001),
        ])
        view = try replica.thread(seed.invoice, markRead: false)
        #expect(view.messages[1].delivery == .sent && view.messages[1].deliveryReason == nil)
        #expect(view.messages[2].delivery == .failed && view.messages[2].deliveryReason == "mailbox full")
        // The newer report wins; an older one (by HLC) arriving late does not.
        try replica.apply([server.make(.platform, .setDelivery(SetDelivery(message: second, state: .queued)),
                                       at: World.base + 80_000)])
        #expect(try replica.thread(seed.invoice, markRead: false).messages[2].delivery == .queued)
        var otherServer = OpMaker(replica: ReplicaID(2))
        try replica.apply([otherServer.make(.platform, .setDelivery(SetDelivery(message: second, state: .sent)),
                                            at: World.base + 75_000, deps: [second.dot])])
        #expect(try replica.thread(seed.invoice, markRead: false).messages[2].delivery == .queued)
    }

    @Test("a colleague's message shows their name and is unread for the viewer", arguments: StoreKind.allCases)
    func colleague(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        try store.replica.markRead(seed.invoice)
        var samDevice = OpMaker(replica: World.samDevice)
        try store.replica.apply([samDevice.make(.user(World.sam.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "I will check with finance.")), at: World.base + 6_000,
            deps: [Dot(replica: World.server, counter: 12)])])
        let view = try store.replica.thread(seed.invoice, markRead: false)
        let message = try #require(view.messages.last)
        #expect(message.authorName == "Sam Okoro")
        #expect(!message.isOwn && message.unread && message.delivery == .queued)
        #expect(view.unread)
    }

    @Test("thread order follows the HLC even when a device clock is days behind", arguments: StoreKind.allCases)
    func clockSkew(kind: StoreKind) throws {
        let threeDaysAgo = World.base - 3 * 86_400_000
        // Dana's laptop clock is three days behind.
        let (store, seed) = try seededStore(kind, clock: FixedClock(milliseconds: threeDaysAgo))
        let replica = store.replica
        let reply = try replica.reply(to: seed.proposal, text: "Thanks, the photos look great.")
        var view = try replica.thread(seed.proposal, markRead: false)
        #expect(view.messages.last?.id == reply)
        let stamps = view.messages.map(\.stamp)
        #expect(stamps == stamps.sorted())
        #expect(stamps[2] > stamps[1], "the reply's stamp exceeds what its author had seen")
        #expect(stamps[2].wall >= World.base + 5_000)
        #expect(try replica.inbox().first?.id == seed.proposal)
        #expect(try replica.inbox().first?.preview == "Thanks, the photos look great.")

        // Sam's device is a week behind; his reply was written after he saw Dana's.
        let sam = try makeStore(.memory, identity: World.identity(World.samDevice, viewer: World.sam),
                                clock: FixedClock(milliseconds: World.base - 7 * 86_400_000))
        try sam.replica.apply(try replica.journalOps())
        let samReply = try sam.replica.reply(to: seed.proposal, text: "Agreed.")
        try replica.apply(try sam.replica.journalOps(madeBy: World.samDevice))
        view = try replica.thread(seed.proposal, markRead: false)
        #expect(view.messages.map(\.id).suffix(2) == [reply, samReply])
        #expect(view.messages.map(\.stamp) == view.messages.map(\.stamp).sorted())
        #expect(view.messages.last?.authorName == "Sam Okoro")
    }
}
