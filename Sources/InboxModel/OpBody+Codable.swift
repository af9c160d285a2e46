/// JSON form: `{"type": "postMessage", "value": {…}}`, with `type` the case name.
extension OpBody: Codable {
    private enum CodingKeys: String, CodingKey { case type, value }

    private enum Tag: String, Codable {
        case setBrand, upsertUser, upsertPartner, startConversation, postMessage, markRead, markUnread, saveDraft,
             discardDraft, setDelivery, redacted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Tag.self, forKey: .type) {
        case .setBrand: self = .setBrand(try container.decode(Brand.self, forKey: .value))
        case .upsertUser: self = .upsertUser(try container.decode(User.self, forKey: .value))
        case .upsertPartner: self = .upsertPartner(try container.decode(Partner.self, forKey: .value))
        case .startConversation:
            self = .startConversation(try container.decode(StartConversation.self, forKey: .value))
        case .postMessage: self = .postMessage(try container.decode(PostMessage.self, forKey: .value))
        case .markRead: self = .markRead(try container.decode(MarkRead.self, forKey: .value))
        case .markUnread: self = .markUnread(try container.decode(MarkUnread.self, forKey: .value))
        case .saveDraft: self = .saveDraft(try container.decode(SaveDraft.self, forKey: .value))
        case .discardDraft: self = .discardDraft(try container.decode(DiscardDraft.self, forKey: .value))
        case .setDelivery: self = .setDelivery(try container.decode(SetDelivery.self, forKey: .value))
        case .redacted: self = .redacted
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .setBrand(let value): try container.encode(Tag.setBrand, forKey: .type); try container.encode(value, forKey: .value)
        case .upsertUser(let value): try container.encode(Tag.upsertUser, forKey: .type); try container.encode(value, forKey: .value)
        case .upsertPartner(let value): try container.encode(Tag.upsertPartner, forKey: .type); try container.encode(value, forKey: .value)
        case .startConversation(let value): try container.encode(Tag.startConversation, forKey: .type); try container.encode(value, forKey: .value)
        case .postMessage(let value): try container.encode(Tag.postMessage, forKey: .type); try container.encode(value, forKey: .value)
        case .markRead(let value): try container.encode(Tag.markRead, forKey: .type); try container.encode(value, forKey: .value)
        case .markUnread(let value): try container.encode(Tag.markUnread, forKey: .type); try container.encode(value, forKey: .value)
        case .saveDraft(let value): try container.encode(Tag.saveDraft, forKey: .type); try container.encode(value, forKey: .value)
        case .discardDraft(let value): try container.encode(Tag.discardDraft, forKey: .type); try container.encode(value, forKey: .value)
        case .setDelivery(let value): try container.encode(Tag.setDelivery, forKey: .type); try container.encode(value, forKey: .value)
        case .redacted: try container.encode(Tag.redacted, forKey: .type)
        }
    }
}
