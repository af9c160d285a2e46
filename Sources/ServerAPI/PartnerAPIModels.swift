public import InboxModel

/// One of a partner's conversations with the brand, as `GET /v1/partner/conversations` lists it.
public struct PartnerConversation: Codable, Hashable, Sendable {
    public var id: String
    /// `direct` or `inquiry` (the platform's notifications to the brand are not shown to partners).
    public var kind: String
    public var subject: String
    public var preview: String
    public var messageCount: Int
    /// Newest message, in ms since the Unix epoch.
    public var lastActivity: UInt64

    public init(id: String, kind: String, subject: String, preview: String, messageCount: Int, lastActivity: UInt64) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.preview = preview
        self.messageCount = messageCount
        self.lastActivity = lastActivity
    }
}

/// One message of a thread, for the partner: `from` is `partner` (this partner) or `brand`.
public struct PartnerMessage: Codable, Hashable, Sendable {
    public var id: String
    public var from: String
    public var authorName: String
    public var text: String
    public var time: UInt64

    public init(id: String, from: String, authorName: String, text: String, time: UInt64) {
        self.id = id
        self.from = from
        self.authorName = authorName
        self.text = text
        self.time = time
    }
}

/// A whole thread, for the partner.
public struct PartnerThread: Codable, Hashable, Sendable {
    public var id: String
    public var kind: String
    public var subject: String
    /// For a forwarded Customer Inquiry: the customer's original message.
    public var inquiry: CustomerInquiry?
    public var messages: [PartnerMessage]

    public init(id: String, kind: String, subject: String, inquiry: CustomerInquiry?, messages: [PartnerMessage]) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.inquiry = inquiry
        self.messages = messages
    }
}

/// `POST /v1/partner/conversations`.
public struct PartnerStartRequest: Codable, Sendable {
    public var subject: String
    public var text: String

    public init(subject: String, text: String) {
        self.subject = subject
        self.text = text
    }
}

/// `POST /v1/partner/conversations/{id}/messages`.
public struct PartnerReplyRequest: Codable, Sendable {
    public var text: String

    public init(text: String) { self.text = text }
}

/// `POST /v1/partner/inquiries`: the customer's original message and the partner's note.
public struct PartnerForwardRequest: Codable, Sendable {
    public var customerName: String
    public var customerEmail: String
    public var storefront: String
    public var product: String
    public var text: String
    /// When the customer asked, in ms since the Unix epoch.
    public var askedAt: UInt64
    /// The partner's note: the thread's first message.
    public var note: String

    public init(customerName: String, customerEmail: String, storefront: String, product: String, text: String,
                askedAt: UInt64, note: String) {
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.storefront = storefront
        self.product = product
        self.text = text
        self.askedAt = askedAt
        self.note = note
    }
}

/// What a partner API write made: the conversation, and the message when it was a reply.
public struct PartnerWriteResult: Codable, Hashable, Sendable {
    public var conversation: String
    public var message: String?
    /// `true` when the request's `Idempotency-Key` was seen before and nothing new was made.
    public var duplicate: Bool

    public init(conversation: String, message: String?, duplicate: Bool) {
        self.conversation = conversation
        self.message = message
        self.duplicate = duplicate
    }
}
