import Causality
import InboxModel
import Merge
import Testing

@Suite("InboxSummary")
struct InboxSummaryTests {
    func stamp(_ wall: UInt64, _ replica: ReplicaID) -> HLCTimestamp {
        HLCTimestamp(wall: wall, logical: 0, replica: replica)
    }

    @Test("the first message makes the summary; it is unread unless the viewer wrote it")
    func first() {
        let summary = InboxSummary(first: stamp(10, server), author: .partner(alpine), body: "Hello  there", viewer: dana)
        #expect(summary == InboxSummary(newest: stamp(10, server), newestAuthor: .partner(alpine), preview: "Hello there",
                                        messageCount: 1, unread: true))
        #expect(!InboxSummary(first: stamp(10, laptop), author: .user(dana), body: "Hi", viewer: dana).unread)
        #expect(!InboxSummary(first: stamp(10, server), author: .partner(alpine), body: "Hi", viewer: nil).unread,
                "a replica of no user has nothing unread")
    }

    @Test("the newest message by stamp gives author and preview, whatever order messages arrive in")
    func newestByStamp() {
        let messages: [(HLCTimestamp, Principal, String)] = [
            (stamp(10, server), .partner(alpine), "first"), (stamp(30, laptop), .user(dana), "newest"),
            (stamp(20, server), .partner(alpine), "middle"), (stamp(30, server), .platform, "tie on time"),
        ]
        func summary(_ order: [Int]) -> InboxSummary {
            var result = InboxSummary(first: messages[order[0]].0, author: messages[order[0]].1,
                                      body: messages[order[0]].2, viewer: dana)
            for index in order.dropFirst() {
                result.add(messages[index].0, author: messages[index].1, body: messages[index].2, viewer: dana)
            }
            return result
        }
        let expected = InboxSummary(newest: stamp(30, laptop), newestAuthor: .user(dana), preview: "newest",
                                    messageCount: 4, unread: true)
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1]] { #expect(summary(order) == expected) }
    }

    @Test("an older message counts but leaves the newest alone; a new message by someone else sets unread")
    func addOlder() {
        var summary = InboxSummary(newest: stamp(50, laptop), newestAuthor: .user(dana), preview: "mine",
                                   messageCount: 2, unread: false)
        summary.add(stamp(40, tablet), author: .user(dana), body: "also mine", viewer: dana)
        #expect(summary == InboxSummary(newest: stamp(50, laptop), newestAuthor: .user(dana), preview: "mine",
                                        messageCount: 3, unread: false), "the viewer's own message is never unread")
        summary.add(stamp(45, server), author: .partner(alpine), body: "late", viewer: dana)
        #expect(summary.unread && summary.preview == "mine" && summary.messageCount == 4)
        summary.add(stamp(60, laptop), author: .user(dana), body: "newer", viewer: dana)
        #expect(summary.unread, "only a read clears the flag; a message never does")
        #expect(summary.preview == "newer" && summary.newestAuthor == .user(dana))
    }

    @Test("the preview is one line of at most 140 characters")
    func preview() {
        #expect(InboxSummary.preview("  Hi\n\n\tSam,  the box  ") == "Hi Sam, the box")
        let long = String(repeating: "a", count: 139) + " bc"
        #expect(InboxSummary.preview(long) == String(repeating: "a", count: 139) + "…")
        #expect(InboxSummary.preview(String(repeating: "a", count: 140)) == String(repeating: "a", count: 140))
        #expect(InboxSummary.preview(String(repeating: "é", count: 141)) == String(repeating: "é", count: 139) + "…")
        #expect(InboxSummary.preview("Grüße\n  aus  Köln") == "Grüße aus Köln")
    }
}

@Suite("WritePermission")
struct WritePermissionTests {
    let other = PartnerID(unchecked: "birch")

    @Test("only the platform starts or writes in system notifications")
    func system() {
        #expect(WritePermission.start(.system, with: alpine, by: .platform) == nil)
        #expect(WritePermission.start(.system, with: alpine, by: .user(dana)) == .onlyPlatformStartsSystem)
        #expect(WritePermission.start(.system, with: alpine, by: .partner(alpine)) == .onlyPlatformStartsSystem)
        #expect(WritePermission.post(in: .system, with: alpine, by: .platform) == nil)
        #expect(WritePermission.post(in: .system, with: alpine, by: .user(dana)) == .systemIsReadOnly)
        #expect(WritePermission.post(in: .system, with: alpine, by: .partner(alpine)) == .systemIsReadOnly)
    }

    @Test("a partner starts and writes only its own conversations; users write in any", arguments: [
        ConversationKind.direct, .inquiry,
    ])
    func partners(kind: ConversationKind) {
        #expect(WritePermission.start(kind, with: alpine, by: .partner(alpine)) == nil)
        #expect(WritePermission.start(kind, with: alpine, by: .partner(other)) == .partnerStartsOnlyOwn)
        #expect(WritePermission.post(in: kind, with: alpine, by: .partner(alpine)) == nil)
        #expect(WritePermission.post(in: kind, with: alpine, by: .partner(other)) == .partnerWritesOnlyOwn)
        #expect(WritePermission.start(kind, with: alpine, by: .user(dana)) == nil)
        #expect(WritePermission.post(in: kind, with: alpine, by: .user(dana)) == nil)
        #expect(WritePermission.post(in: kind, with: alpine, by: .platform) == nil)
    }

    @Test("a compose draft is continued only by the user whose save started it, under that key")
    func composeDraft() {
        let startDot = Dot(replica: laptop, counter: 3)
        let key = DraftKey.compose(startDot)
        let stamp = HLCTimestamp(wall: 10, logical: 0, replica: laptop)
        func op(_ dot: Dot, _ actor: Principal, _ body: OpBody) -> Op {
            Op(dot: dot, stamp: stamp, deps: [], actor: actor, body: body)
        }
        let started = op(startDot, .user(dana), .saveDraft(SaveDraft(key: key, text: "Hi")))
        let next = op(Dot(replica: tablet, counter: 1), .user(dana), .saveDraft(SaveDraft(key: key, text: "Hi!")))
        #expect(WritePermission.composeDraft(key, by: started, firstSave: true, started: nil) == nil, "the first save")
        #expect(WritePermission.composeDraft(key, by: started, firstSave: false, started: nil) == .composeDraftNotStarted,
                "a send cannot name itself")
        #expect(WritePermission.composeDraft(key, by: next, firstSave: true, started: started) == nil)
        #expect(WritePermission.composeDraft(key, by: next, firstSave: true, started: nil) == .composeDraftNotStarted)
        let sam = op(Dot(replica: tablet, counter: 1), .user(UserID(unchecked: "sam")), .saveDraft(SaveDraft(key: key, text: "x")))
        #expect(WritePermission.composeDraft(key, by: sam, firstSave: true, started: started) == .composeDraftNotStarted)
        let otherKey = op(startDot, .user(dana), .saveDraft(SaveDraft(key: .compose(Dot(replica: laptop, counter: 9)), text: "")))
        #expect(WritePermission.composeDraft(key, by: next, firstSave: true, started: otherKey) == .composeDraftNotStarted)
        let notASave = op(startDot, .user(dana), .markUnread(MarkUnread(conversation: conversation)))
        #expect(WritePermission.composeDraft(key, by: next, firstSave: true, started: notASave) == .composeDraftNotStarted)
        #expect(WritePermission.composeDraft(.conversation(conversation), by: next, firstSave: false, started: nil) == nil)
    }
}
