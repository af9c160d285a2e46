import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Testing

/// Sample values for building ops.
enum Sample {
    static let server = ReplicaID(1)
    static let laptop = ReplicaID(0xd1)
    static let dana = UserID(unchecked: "dana")
    static let alpine = PartnerID(unchecked: "alpine")
    static let conversation = ConversationID(Dot(replica: server, counter: 5))
    static let inquiry = CustomerInquiry(customerName: "Maria Lopez", customerEmail: "maria@example.com",
                                         storefront: "Birch Online", product: "Trail Lantern",
                                         text: "Does the lantern float?", askedAt: 1_700_000_000_000)

    static func op(_ body: OpBody, actor: Principal, replica: ReplicaID = laptop, counter: UInt64 = 3,
                   deps: [Dot] = [Dot(replica: server, counter: 5)]) -> Op {
        TestOp.make(replica, counter, wall: 1_700_000_000_123, logical: 2, deps: deps, actor, body)
    }

    /// One valid op of every kind, each with the actor allowed to make it.
    static let everyKind: [(OpKind, Op)] = [
        (.setBrand, op(.setBrand(Brand(id: BrandID(unchecked: "acme"), name: "Acme")), actor: .platform, replica: server,
                       deps: [])),
        (.upsertUser, op(.upsertUser(User(id: dana, name: "Dana", email: "dana@acme.example")), actor: .platform,
                         replica: server, deps: [])),
        (.upsertPartner, op(.upsertPartner(Partner(id: alpine, name: "Alpine Gear", contactEmail: "hi@alpine.example",
                                                   status: .paused, statusSince: 1_600_000_000_000)),
                            actor: .platform, replica: server, deps: [Dot(replica: laptop, counter: 2)])),
        (.startConversation, op(.startConversation(StartConversation(
            kind: .inquiry, partner: alpine, subject: CustomerInquiry.subject, inquiry: inquiry, body: "FYI")),
                                actor: .partner(alpine), replica: server, deps: [])),
        (.postMessage, op(.postMessage(PostMessage(conversation: conversation, body: "Thanks!\nDana",
                                                   supersedes: [Dot(replica: laptop, counter: 2)])),
                          actor: .user(dana))),
        (.markRead, op(.markRead(MarkRead(conversation: conversation,
                                          marker: VersionVector([server: 9, laptop: 2]),
                                          clears: [Dot(replica: laptop, counter: 1)])), actor: .user(dana))),
        (.markUnread, op(.markUnread(MarkUnread(conversation: conversation)), actor: .user(dana))),
        (.saveDraft, op(.saveDraft(SaveDraft(key: .compose(Dot(replica: laptop, counter: 1)), text: "Hi",
                                             partner: alpine, subject: "Autumn", supersedes: [])),
                        actor: .user(dana))),
        (.discardDraft, op(.discardDraft(DiscardDraft(key: .conversation(conversation),
                                                      supersedes: [Dot(replica: laptop, counter: 2)])),
                           actor: .user(dana))),
        (.setDelivery, op(.setDelivery(SetDelivery(message: MessageID(Dot(replica: laptop, counter: 2)),
                                                   state: .failed, reason: "mailbox full")),
                          actor: .platform, replica: server, deps: [Dot(replica: laptop, counter: 2)])),
        (.redacted, op(.redacted, actor: .user(dana))),
    ]
}

@Suite("Op")
struct OpTests {
    @Test("the samples cover every op kind")
    func coverage() {
        #expect(Set(Sample.everyKind.map(\.0)) == Set(OpKind.allCases))
        for (kind, op) in Sample.everyKind { #expect(op.kind == kind) }
    }

    @Test("JSON round trip of every op body", arguments: Sample.everyKind.map(\.1))
    func jsonRoundTrip(op: Op) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(op)
        let decoded = try JSONDecoder().decode(Op.self, from: data)
        #expect(decoded == op)
        #expect(try encoder.encode(decoded) == data, "encoding is stable")
        // The body is tagged with the case name.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let body = try #require(object["body"] as? [String: Any])
        #expect(body["type"] as? String == "\(op.kind)")
        #expect((body["value"] != nil) == (op.kind != .redacted), "every body but a redacted stand-in has a value")
        #expect(throws: Never.self) { try op.validate() }
    }

    @Test("an unknown body type is a decoding error")
    func unknownType() throws {
        let encoder = JSONEncoder()
        let data = try encoder.encode(Sample.everyKind[6].1)
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "markUnread", with: "markSomething")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Op.self, from: Data(text.utf8)) }
    }

    @Test("op kinds are stable numbers; server-owned kinds")
    func kinds() {
        #expect(OpKind.allCases.map(\.rawValue) == Array(1...11))
        #expect(OpKind.allCases.filter(\.isServerOwned) == [.setBrand, .upsertUser, .upsertPartner, .setDelivery])
    }
}
