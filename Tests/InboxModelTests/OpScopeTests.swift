import Causality
import InboxModel
import OutpostTestSupport
import Testing

@Suite("What another user's replica may see of an op")
struct OpScopeTests {
    static let dana = UserID(rawValue: "dana")!
    static let sam = UserID(rawValue: "sam")!
    static let conversation = ConversationID(Dot(replica: ReplicaID(1), counter: 4))

    static func op(_ actor: Principal, _ body: OpBody) -> Op {
        TestOp.make(ReplicaID(0x5a), 3, wall: 9, deps: [Dot(replica: ReplicaID(1), counter: 4)], actor, body)
    }

    @Test("another user's read state and drafts are redacted, keeping dot, stamp, deps and actor", arguments: [
        OpBody.markRead(MarkRead(conversation: conversation, marker: VersionVector())),
        .markUnread(MarkUnread(conversation: conversation)),
        .saveDraft(SaveDraft(key: .conversation(conversation), text: "private")),
        .discardDraft(DiscardDraft(key: .conversation(conversation), supersedes: [])),
    ])
    func privateOpsRedacted(body: OpBody) throws {
        let original = Self.op(.user(Self.sam), body)
        let seen = original.scoped(to: Self.dana)
        #expect(seen.body == .redacted)
        #expect(seen.dot == original.dot && seen.stamp == original.stamp && seen.deps == original.deps)
        #expect(seen.actor == original.actor)
        try seen.validate()
        #expect(original.scoped(to: Self.sam) == original, "the owner sees their own ops")
        #expect(original.scoped(to: nil) == original, "the server sees everything")
    }

    @Test("messages and server facts are everyone's")
    func sharedOpsKept() {
        let message = Self.op(.user(Self.sam), .postMessage(PostMessage(conversation: Self.conversation, body: "Hi")))
        #expect(message.scoped(to: Self.dana) == message)
        let delivery = Self.op(.platform, .setDelivery(SetDelivery(message: MessageID(message.dot), state: .sent)))
        #expect(delivery.scoped(to: Self.dana) == delivery)
    }

    @Test("a redacted op must stand for a user's op")
    func redactedNeedsUser() {
        #expect(throws: OpValidationError.self) { try Self.op(.platform, .redacted).validate() }
    }
}
