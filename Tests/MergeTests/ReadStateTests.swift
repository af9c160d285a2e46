import Causality
import InboxModel
import Merge
import Testing

let server = ReplicaID(1)
let laptop = ReplicaID(0xd1)
let tablet = ReplicaID(0xd2)
let dana = UserID(unchecked: "dana")
let alpine = PartnerID(unchecked: "alpine")
let conversation = ConversationID(Dot(replica: server, counter: 4))

func message(_ replica: ReplicaID, _ counter: UInt64) -> MessageID {
    MessageID(Dot(replica: replica, counter: counter))
}

@Suite("ReadState")
struct ReadStateTests {
    /// A thread: the partner's first message (1:4), Dana's reply (d1:2), the partner again (1:9).
    let thread: [(id: MessageID, author: Principal)] = [
        (message(server, 4), .partner(alpine)), (message(laptop, 2), .user(dana)), (message(server, 9), .partner(alpine)),
    ]

    @Test("reads merge by pointwise maximum, in either order")
    func pointwiseMax() {
        let fromLaptop = MarkRead(conversation: conversation, marker: VersionVector([server: 9, laptop: 1]))
        let fromTablet = MarkRead(conversation: conversation, marker: VersionVector([server: 4, laptop: 2, tablet: 1]))
        var a = ReadState(), b = ReadState()
        a.apply(fromLaptop); a.apply(fromTablet)
        b.apply(fromTablet); b.apply(fromLaptop)
        #expect(a == b)
        #expect(a.marker == VersionVector([server: 9, laptop: 2, tablet: 1]))
        // A stale read applied again never lowers the marker.
        a.apply(MarkRead(conversation: conversation, marker: VersionVector([server: 1])))
        #expect(a.marker[server] == 9)
        #expect(!a.isUnread(messages: thread, viewer: dana))
    }

    @Test("a message the marker does not cover is unread; one it covers is read")
    func perMessage() {
        var state = ReadState()
        #expect(state.isUnread(messages: thread, viewer: dana))
        state.apply(MarkRead(conversation: conversation, marker: VersionVector([server: 4])))
        #expect(!state.isUnread(message: message(server, 4), author: .partner(alpine), viewer: dana))
        #expect(state.isUnread(message: message(server, 9), author: .partner(alpine), viewer: dana))
        #expect(state.isUnread(messages: thread, viewer: dana))
    }

    @Test("against a concurrent read, unread wins")
    func unreadWinsOverConcurrentRead() {
        let mark = Dot(replica: tablet, counter: 3)
        // The laptop reads everything without having seen the tablet's mark.
        let read = MarkRead(conversation: conversation, marker: VersionVector([server: 9, laptop: 2]), clears: [])
        var a = ReadState(), b = ReadState()
        a.applyUnread(mark: mark); a.apply(read)
        b.apply(read); b.applyUnread(mark: mark)
        #expect(a == b)
        #expect(a.isUnread(messages: thread, viewer: dana))
        #expect(a.unreadMarks == [mark])
    }

    @Test("a read that saw the mark clears it")
    func readAfterMarkClears() throws {
        let mark = Dot(replica: tablet, counter: 3)
        var state = ReadState()
        state.apply(MarkRead(conversation: conversation, marker: VersionVector([server: 9, laptop: 2])))
        state.applyUnread(mark: mark)
        #expect(state.isUnread(messages: thread, viewer: dana))
        let read = try #require(state.readingAll(of: thread.map(\.id), in: conversation))
        #expect(read.clears == [mark])
        #expect(read.marker.isEmpty, "nothing new to cover, only the mark to clear")
        state.apply(read)
        #expect(!state.isUnread(messages: thread, viewer: dana))
        #expect(state.unreadMarks.isEmpty)
    }

    @Test("a read clears only the marks it names")
    func clearsOnlyNamed() {
        let first = Dot(replica: tablet, counter: 3), second = Dot(replica: laptop, counter: 5)
        var state = ReadState()
        state.applyUnread(mark: first)
        state.applyUnread(mark: second)
        state.apply(MarkRead(conversation: conversation, marker: VersionVector([server: 9]), clears: [first]))
        #expect(state.unreadMarks == [second])
        #expect(state.isUnread(messages: thread, viewer: dana))
    }

    @Test("the viewer's own messages are never unread")
    func ownNeverUnread() {
        let state = ReadState()
        let own: [(id: MessageID, author: Principal)] = [(message(laptop, 2), .user(dana)), (message(tablet, 1), .user(dana))]
        #expect(!state.isUnread(messages: own, viewer: dana))
        #expect(!state.isUnread(message: message(laptop, 2), author: .user(dana), viewer: dana))
        // Another user's message is unread for Dana.
        #expect(state.isUnread(message: message(ReplicaID(0x5a), 1), author: .user(UserID(unchecked: "sam")),
                               viewer: dana))
    }

    @Test("readingAll covers every message, and is nil when nothing would change")
    func readingAll() throws {
        var state = ReadState()
        let read = try #require(state.readingAll(of: thread.map(\.id), in: conversation))
        #expect(read.conversation == conversation)
        #expect(read.marker == VersionVector([server: 9, laptop: 2]))
        #expect(read.clears.isEmpty)
        state.apply(read)
        #expect(state.readingAll(of: thread.map(\.id), in: conversation) == nil)
        #expect(ReadState().readingAll(of: [], in: conversation) == nil)
        // A new message: only the new entry is in the next read.
        let next = try #require(state.readingAll(of: thread.map(\.id) + [message(server, 12)], in: conversation))
        #expect(next.marker == VersionVector([server: 12]))
    }

    @Test("a message that has just arrived is unread unless the viewer wrote it; nothing is unread without a viewer")
    func arrivesUnread() {
        #expect(ReadState.arrivesUnread(author: .partner(alpine), viewer: dana))
        #expect(ReadState.arrivesUnread(author: .platform, viewer: dana))
        #expect(ReadState.arrivesUnread(author: .user(UserID(unchecked: "sam")), viewer: dana))
        #expect(!ReadState.arrivesUnread(author: .user(dana), viewer: dana))
        #expect(!ReadState.arrivesUnread(author: .partner(alpine), viewer: nil))
    }

    @Test("marking unread makes an op only when no mark is live")
    func markingUnread() {
        var state = ReadState()
        #expect(state.markingUnread(conversation) == MarkUnread(conversation: conversation))
        state.apply(MarkRead(conversation: conversation, marker: VersionVector([server: 9])))
        #expect(state.markingUnread(conversation) != nil, "a read thread can be marked unread")
        state.applyUnread(mark: Dot(replica: tablet, counter: 3))
        #expect(state.markingUnread(conversation) == nil)
    }
}
