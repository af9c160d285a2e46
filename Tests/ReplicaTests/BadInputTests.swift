import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

/// One bad request to a replica and the error code it must get.
struct BadRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let code: ReplicaError.Code
    let run: @Sendable (Replica, Seed) throws -> Void
    var testDescription: String { name }
}

let unknownConversation = ConversationID(Dot(replica: World.server, counter: 999))
let unknownPartner = PartnerID(unchecked: "zed")
let tooLong = String(repeating: "x", count: OpLimits.maxBodyBytes + 1)
let tooLongSubject = String(repeating: "s", count: OpLimits.maxSubjectBytes + 1)

let badRequests: [BadRequest] = [
    BadRequest(name: "empty reply", code: .invalidArgument) { r, s in try r.reply(to: s.proposal, text: "") },
    BadRequest(name: "blank reply", code: .invalidArgument) { r, s in try r.reply(to: s.proposal, text: " \n\t") },
    BadRequest(name: "over-long reply", code: .invalidArgument) { r, s in try r.reply(to: s.proposal, text: tooLong) },
    BadRequest(name: "reply to unknown conversation", code: .unknownConversation) { r, _ in
        try r.reply(to: unknownConversation, text: "Hi")
    },
    BadRequest(name: "reply to a system notification", code: .readOnlyConversation) { r, s in
        try r.reply(to: s.leftPlatform, text: "Hi")
    },
    BadRequest(name: "compose to unknown partner", code: .unknownPartner) { r, _ in
        try r.compose(to: unknownPartner, subject: "Hi", text: "Hello")
    },
    BadRequest(name: "compose with empty text", code: .invalidArgument) { r, _ in
        try r.compose(to: World.alpine.id, subject: "Hi", text: "")
    },
    BadRequest(name: "compose with empty subject", code: .invalidArgument) { r, _ in
        try r.compose(to: World.alpine.id, subject: " ", text: "Hello")
    },
    BadRequest(name: "compose with over-long subject", code: .invalidArgument) { r, _ in
        try r.compose(to: World.alpine.id, subject: tooLongSubject, text: "Hello")
    },
    BadRequest(name: "compose with over-long text", code: .invalidArgument) { r, _ in
        try r.compose(to: World.alpine.id, subject: "Hi", text: tooLong)
    },
    BadRequest(name: "mark read unknown", code: .unknownConversation) { r, _ in try r.markRead(unknownConversation) },
    BadRequest(name: "mark unread unknown", code: .unknownConversation) { r, _ in try r.markUnread(unknownConversation) },
    BadRequest(name: "open unknown thread", code: .unknownConversation) { r, _ in _ = try r.thread(unknownConversation) },
    BadRequest(name: "peek unknown thread", code: .unknownConversation) { r, _ in
        _ = try r.thread(unknownConversation, markRead: false)
    },
    BadRequest(name: "draft in unknown conversation", code: .unknownConversation) { r, _ in
        try r.saveDraft(unknownConversation, text: "x")
    },
    BadRequest(name: "over-long draft", code: .invalidArgument) { r, s in try r.saveDraft(s.invoice, text: tooLong) },
    BadRequest(name: "show draft of unknown conversation", code: .unknownConversation) { r, _ in
        _ = try r.draft(.conversation(unknownConversation))
    },
    BadRequest(name: "show missing compose draft", code: .noDraft) { r, _ in
        _ = try r.draft(.compose(Dot(replica: World.laptop, counter: 99)))
    },
    BadRequest(name: "discard missing draft", code: .noDraft) { r, s in try r.discardDraft(.conversation(s.invoice)) },
    BadRequest(name: "send missing draft", code: .noDraft) { r, s in _ = try r.sendDraft(.conversation(s.invoice)) },
    BadRequest(name: "send missing compose draft", code: .noDraft) { r, _ in
        _ = try r.sendDraft(.compose(Dot(replica: World.laptop, counter: 99)))
    },
    BadRequest(name: "update missing compose draft", code: .noDraft) { r, _ in
        try r.updateComposeDraft(.compose(Dot(replica: World.laptop, counter: 99)), text: "x")
    },
    BadRequest(name: "pick in missing draft", code: .noDraft) { r, s in
        try r.pickDraftVersion(.conversation(s.invoice), version: Dot(replica: World.laptop, counter: 1))
    },
    BadRequest(name: "compose draft to unknown partner", code: .unknownPartner) { r, _ in
        _ = try r.startComposeDraft(to: unknownPartner, subject: nil, text: "x")
    },
    BadRequest(name: "compose draft with over-long subject", code: .invalidArgument) { r, _ in
        _ = try r.startComposeDraft(to: nil, subject: tooLongSubject, text: "x")
    },
    BadRequest(name: "compose draft with over-long text", code: .invalidArgument) { r, _ in
        _ = try r.startComposeDraft(to: nil, subject: nil, text: tooLong)
    },
    BadRequest(name: "profile of unknown partner", code: .unknownPartner) { r, _ in _ = try r.partner(unknownPartner) },
    BadRequest(name: "inbox limit 0", code: .invalidArgument) { r, _ in _ = try r.inbox(InboxFilter(limit: 0)) },
    BadRequest(name: "inbox limit too big", code: .invalidArgument) { r, _ in _ = try r.inbox(InboxFilter(limit: 10_001)) },
    BadRequest(name: "inbox negative offset", code: .invalidArgument) { r, _ in _ = try r.inbox(InboxFilter(offset: -1)) },
    BadRequest(name: "empty search", code: .invalidArgument) { r, _ in _ = try r.search("") },
    BadRequest(name: "blank search", code: .invalidArgument) { r, _ in _ = try r.search("  ") },
    BadRequest(name: "search of 33 words", code: .invalidArgument) { r, _ in
        _ = try r.search(Array(repeating: "word", count: 33).joined(separator: " "))
    },
    BadRequest(name: "apply an invalid op", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.platform, .postMessage(PostMessage(conversation: s.proposal, body: "")),
                                 at: World.base + 9_000)])
    },
    BadRequest(name: "apply a message to an unknown conversation", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: unknownConversation, body: "Hi")), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a partner's message in another partner's conversation", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.partner(World.birch.id), .postMessage(PostMessage(
            conversation: s.proposal, body: "Hi")), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a user's message in a system notification", code: .invalidOp) { r, s in
        var sam = OpMaker(replica: World.samDevice)
        try r.apply([sam.make(.user(World.sam.id), .postMessage(PostMessage(conversation: s.leftPlatform, body: "Hi")),
                              at: World.base + 9_000)])
    },
    BadRequest(name: "apply a system notification started by a partner", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.partner(World.alpine.id), .startConversation(StartConversation(
            kind: .system, partner: World.alpine.id, subject: "Fake", body: "Fake")), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a conversation with an unknown partner", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.platform, .startConversation(StartConversation(
            kind: .system, partner: unknownPartner, subject: "Hi", body: "Hi")), at: World.base + 9_000)])
    },
    BadRequest(name: "reply with a NUL in it", code: .invalidArgument) { r, s in
        try r.reply(to: s.proposal, text: "before\u{0}after")
    },
    BadRequest(name: "draft with a control character", code: .invalidArgument) { r, s in
        try r.saveDraft(s.proposal, text: "bell\u{7}")
    },
    BadRequest(name: "compose with a line break in the subject", code: .invalidArgument) { r, _ in
        try r.compose(to: World.alpine.id, subject: "Hi\nBcc: x", text: "Hello")
    },
    BadRequest(name: "apply a partner message with a NUL", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: s.proposal, body: "cut\u{0}here")), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a dot counter over Int64.max", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: ConversationID(Dot(replica: World.server, counter: UInt64(Int64.max) + 1)), body: "Hi")),
            at: World.base + 9_000)])
    },
    BadRequest(name: "apply a forged compose draft key", code: .invalidOp) { r, _ in
        // Another device of Dana's names a compose draft that no save ever started.
        var tablet = OpMaker(replica: World.tablet)
        try r.apply([tablet.make(.user(World.dana.id), .saveDraft(SaveDraft(
            key: .compose(Dot(replica: World.desktop, counter: 3)), text: "forged")), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a compose draft key of another user's save", code: .invalidOp) { r, _ in
        var sam = OpMaker(replica: World.samDevice)
        let first = sam.make(.user(World.sam.id), .saveDraft(SaveDraft(
            key: .compose(Dot(replica: World.samDevice, counter: 1)), text: "Sam's")), at: World.base + 9_000)
        var tablet = OpMaker(replica: World.tablet)
        try r.apply([first, tablet.make(.user(World.dana.id), .saveDraft(SaveDraft(key: .compose(first.dot), text: "x")),
                                        at: World.base + 9_001, deps: [first.dot])])
    },
    BadRequest(name: "apply a discard of a draft in an unknown conversation", code: .invalidOp) { r, _ in
        var tablet = OpMaker(replica: World.tablet)
        try r.apply([tablet.make(.user(World.dana.id), .discardDraft(DiscardDraft(
            key: .conversation(unknownConversation), supersedes: [])), at: World.base + 9_000)])
    },
    BadRequest(name: "apply a delivery state for an unknown message", code: .invalidOp) { r, s in
        var server = s.server
        try r.apply([server.make(.platform, .setDelivery(SetDelivery(
            message: MessageID(unknownConversation.dot), state: .sent)), at: World.base + 9_000)])
    },
]

@Suite("Bad input changes nothing")
struct BadInputTests {
    @Test("each bad request gets its error code and leaves the replica as it was", arguments: badRequests)
    func refused(request: BadRequest) throws {
        let (store, seed) = try seededStore(.memory)
        try store.replica.saveDraft(seed.proposal, text: "An unrelated draft")
        try expectRefused(request.code, store.replica, "\(request.name)") { try request.run(store.replica, seed) }
    }

    @Test("the same on disk", arguments: badRequests.filter { $0.code != .invalidArgument })
    func refusedOnDisk(request: BadRequest) throws {
        let (store, seed) = try seededStore(.disk)
        try expectRefused(request.code, store.replica, "\(request.name)") { try request.run(store.replica, seed) }
    }

    @Test("a replica with no viewer (the server's) has no drafts or read state", arguments: StoreKind.allCases)
    func noViewer(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind, identity: World.identity(World.desktop, viewer: nil))
        let replica = store.replica
        #expect(try replica.inbox().allSatisfy { !$0.unread })
        let view = try replica.thread(seed.proposal)
        #expect(view.messages.allSatisfy { !$0.unread && !$0.isOwn })
        for (name, action) in [("reply", { _ = try replica.reply(to: seed.proposal, text: "Hi") }),
                               ("read", { _ = try replica.markRead(seed.proposal) }),
                               ("draft", { try replica.saveDraft(seed.proposal, text: "x") }),
                               ("drafts", { _ = try replica.drafts() })] as [(String, () throws -> Void)] {
            try expectRefused(.noViewer, replica, "\(name)", action)
        }
    }

    @Test("an invalid replica id is refused")
    func invalidReplicaID() throws {
        for id in [ReplicaID(0), ReplicaID(ReplicaID.maxRawValue + 1)] {
            let error = #expect(throws: ReplicaError.self) {
                try Replica.inMemory(identity: ReplicaIdentity(replica: id, brand: World.brand.id, viewer: nil))
            }
            #expect(error?.code == .invalidArgument)
        }
    }
}
