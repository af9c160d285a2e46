import Causality
import InboxModel
import OutpostTestSupport
import Testing

/// An op that `validate()` must refuse, and a word its message must contain.
struct BadOp: Sendable, CustomTestStringConvertible {
    let name: String
    let op: Op
    let mentions: String
    var testDescription: String { name }
}

extension Sample {
    static let long = String(repeating: "a", count: OpLimits.maxBodyBytes + 1)
    static let draftKey = DraftKey.conversation(conversation)

    static func start(_ kind: ConversationKind, subject: String = "Hello", body: String = "Hi there",
                      inquiry: CustomerInquiry? = nil, draft: DraftKey? = nil) -> OpBody {
        .startConversation(StartConversation(kind: kind, partner: alpine, subject: subject, inquiry: inquiry,
                                             body: body, draft: draft))
    }

    static let badOps: [BadOp] = [
        BadOp(name: "empty message", op: op(.postMessage(PostMessage(conversation: conversation, body: "")),
                                            actor: .user(dana)), mentions: "empty"),
        BadOp(name: "whitespace-only message",
              op: op(.postMessage(PostMessage(conversation: conversation, body: " \n\t ")), actor: .user(dana)),
              mentions: "empty"),
        BadOp(name: "message too long", op: op(.postMessage(PostMessage(conversation: conversation, body: long)),
                                               actor: .user(dana)), mentions: "longer"),
        BadOp(name: "empty first message", op: op(start(.direct, body: ""), actor: .user(dana)), mentions: "empty"),
        BadOp(name: "empty subject", op: op(start(.direct, subject: "  "), actor: .user(dana)), mentions: "subject"),
        BadOp(name: "subject too long",
              op: op(start(.direct, subject: String(repeating: "s", count: OpLimits.maxSubjectBytes + 1)),
                     actor: .user(dana)), mentions: "subject"),
        BadOp(name: "inquiry without customer message", op: op(start(.inquiry), actor: .partner(alpine)),
              mentions: "Customer Inquiry"),
        BadOp(name: "customer message on a direct conversation",
              op: op(start(.direct, inquiry: inquiry), actor: .partner(alpine)), mentions: "Customer Inquiry"),
        BadOp(name: "empty customer text",
              op: op(start(.inquiry, inquiry: CustomerInquiry(customerName: "M", customerEmail: "m@x", storefront: "S",
                                                              product: "P", text: "", askedAt: 1)),
                     actor: .partner(alpine)), mentions: "customer message"),
        BadOp(name: "new conversation sending a thread draft",
              op: op(start(.direct, draft: .conversation(conversation)), actor: .user(dana)), mentions: "compose"),
        BadOp(name: "draft too long", op: op(.saveDraft(SaveDraft(key: draftKey, text: long)), actor: .user(dana)),
              mentions: "longer"),
        BadOp(name: "too many superseded versions",
              op: op(.discardDraft(DiscardDraft(key: draftKey, supersedes: (1...257).map {
                  Dot(replica: laptop, counter: $0)
              })), actor: .user(dana)), mentions: "supersedes"),
        BadOp(name: "empty partner name",
              op: op(.upsertPartner(Partner(id: alpine, name: "", contactEmail: "a@b", status: .active, statusSince: 0)),
                     actor: .platform, replica: server, deps: []), mentions: "partner name"),
        BadOp(name: "empty brand name", op: op(.setBrand(Brand(id: BrandID(unchecked: "acme"), name: " ")),
                                               actor: .platform, replica: server, deps: []), mentions: "brand name"),
        BadOp(name: "user writes a partner", op: op(.upsertPartner(Partner(
            id: alpine, name: "Alpine", contactEmail: "a@b", status: .active, statusSince: 0)), actor: .user(dana)),
              mentions: "only the platform"),
        BadOp(name: "user writes a brand", op: op(.setBrand(Brand(id: BrandID(unchecked: "acme"), name: "Acme")),
                                                  actor: .user(dana)), mentions: "only the platform"),
        BadOp(name: "partner sets a delivery state",
              op: op(.setDelivery(SetDelivery(message: MessageID(Dot(replica: laptop, counter: 1)), state: .sent)),
                     actor: .partner(alpine)), mentions: "only the platform"),
        BadOp(name: "user upserts a user", op: op(.upsertUser(User(id: dana, name: "Dana", email: "d@x")),
                                                  actor: .user(dana)), mentions: "only the platform"),
        BadOp(name: "draft from a partner", op: op(.saveDraft(SaveDraft(key: draftKey, text: "x")),
                                                   actor: .partner(alpine)), mentions: "brand user"),
        BadOp(name: "draft discard from the platform",
              op: op(.discardDraft(DiscardDraft(key: draftKey, supersedes: [])), actor: .platform),
              mentions: "brand user"),
        BadOp(name: "read state from a partner",
              op: op(.markRead(MarkRead(conversation: conversation, marker: VersionVector())), actor: .partner(alpine)),
              mentions: "brand user"),
        BadOp(name: "unread mark from the platform", op: op(.markUnread(MarkUnread(conversation: conversation)),
                                                            actor: .platform), mentions: "brand user"),
        BadOp(name: "deps name the op's own replica",
              op: op(.markUnread(MarkUnread(conversation: conversation)), actor: .user(dana),
                     deps: [Dot(replica: laptop, counter: 2)]), mentions: "own replica"),
        BadOp(name: "stamp replica differs from the dot's",
              op: Op(dot: Dot(replica: laptop, counter: 3), stamp: HLCTimestamp(wall: 5, logical: 0, replica: server),
                     deps: [], actor: .user(dana), body: .markUnread(MarkUnread(conversation: conversation))),
              mentions: "stamp replica"),
        BadOp(name: "counter zero",
              op: TestOp.make(laptop, 0, wall: 5, .user(dana), .markUnread(MarkUnread(conversation: conversation))),
              mentions: "counter"),
    ]
}

@Suite("Op.validate")
struct OpValidationTests {
    @Test("refuses each bad shape", arguments: Sample.badOps)
    func refuses(bad: BadOp) {
        let error = #expect(throws: OpValidationError.self) { try bad.op.validate() }
        #expect(error?.message.contains(bad.mentions) == true, "\(error?.message ?? "no error")")
    }

    @Test("accepts the limits exactly")
    func limits() {
        let body = String(repeating: "é", count: OpLimits.maxBodyBytes / 2)   // 2 bytes each: exactly the limit
        let atLimit = Sample.op(.postMessage(PostMessage(conversation: Sample.conversation, body: body)),
                                actor: .user(Sample.dana))
        #expect(throws: Never.self) { try atLimit.validate() }
        let overLimit = Sample.op(.postMessage(PostMessage(conversation: Sample.conversation, body: body + "a")),
                                  actor: .user(Sample.dana))
        #expect(throws: OpValidationError.self) { try overLimit.validate() }
        let subject = Sample.op(Sample.start(.direct, subject: String(repeating: "s", count: OpLimits.maxSubjectBytes)),
                                actor: .user(Sample.dana))
        #expect(throws: Never.self) { try subject.validate() }
        // An empty draft is allowed (a cleared draft field), an empty message is not.
        let emptyDraft = Sample.op(.saveDraft(SaveDraft(key: Sample.draftKey, text: "")), actor: .user(Sample.dana))
        #expect(throws: Never.self) { try emptyDraft.validate() }
    }

    @Test("a partner may start a direct conversation or an inquiry, the platform a system one")
    func allowedStarts() {
        for (kind, actor) in [(ConversationKind.direct, Principal.partner(Sample.alpine)),
                              (.direct, .user(Sample.dana)), (.system, .platform)] {
            let op = Sample.op(Sample.start(kind), actor: actor, replica: Sample.server, deps: [])
            #expect(throws: Never.self) { try op.validate() }
        }
        let inquiry = Sample.op(Sample.start(.inquiry, subject: CustomerInquiry.subject, inquiry: Sample.inquiry),
                                actor: .partner(Sample.alpine), replica: Sample.server, deps: [])
        #expect(throws: Never.self) { try inquiry.validate() }
    }
}
