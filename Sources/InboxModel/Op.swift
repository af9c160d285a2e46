public import Causality

/// One change made by one replica: the unit that the journal stores and sync exchanges.
///
/// - `dot` names it: replica and sequence number there (1, 2, 3… without gaps).
/// - `stamp` is its hybrid logical clock stamp, greater than that of every op in its causal past.
/// - `deps` completes its causal past: the newest dot of each *other* replica that the author had
///   applied and that its previous op (`dot.counter - 1`) had not already depended on. So the
///   causal past of `(r, n)` is the causal past of `(r, n - 1)` plus `deps`, and a receiver may apply
///   the op once it has applied `(r, n - 1)` and covers every dot in `deps`.
/// - `actor` is who made the change; `body` is what changed.
///
/// ```swift
/// let op = Op(dot: Dot(replica: me, counter: 7), stamp: stamp, deps: [], actor: .user(dana),
///             body: .postMessage(PostMessage(conversation: id, body: "Thanks!", supersedes: [])))
/// ```
public struct Op: Hashable, Codable, Sendable {
    public var dot: Dot
    public var stamp: HLCTimestamp
    public var deps: [Dot]
    public var actor: Principal
    public var body: OpBody

    public init(dot: Dot, stamp: HLCTimestamp, deps: [Dot], actor: Principal, body: OpBody) {
        self.dot = dot
        self.stamp = stamp
        self.deps = deps
        self.actor = actor
        self.body = body
    }

    public var kind: OpKind { body.kind }
}

/// The op vocabulary, as stored in the journal's `kind` column. Stable: never renumbered.
public enum OpKind: Int, CaseIterable, Codable, Sendable {
    case setBrand = 1
    case upsertUser = 2
    case upsertPartner = 3
    case startConversation = 4
    case postMessage = 5
    case markRead = 6
    case markUnread = 7
    case saveDraft = 8
    case discardDraft = 9
    case setDelivery = 10
    case redacted = 11

    /// Written only by the server replica; the newest by stamp wins.
    public var isServerOwned: Bool {
        switch self {
        case .setBrand, .upsertUser, .upsertPartner, .setDelivery: true
        default: false
        }
    }
}

/// What an op changes.
public enum OpBody: Hashable, Sendable {
    case setBrand(Brand)
    case upsertUser(User)
    case upsertPartner(Partner)
    case startConversation(StartConversation)
    case postMessage(PostMessage)
    case markRead(MarkRead)
    case markUnread(MarkUnread)
    case saveDraft(SaveDraft)
    case discardDraft(DiscardDraft)
    case setDelivery(SetDelivery)
    /// Stands in for an op that this replica may not see: another user's draft or read state. The
    /// server sends it in place of the op so that dots stay gap-free; it keeps the op's dot, stamp,
    /// deps and actor, and changes nothing.
    case redacted

    public var kind: OpKind {
        switch self {
        case .setBrand: .setBrand
        case .upsertUser: .upsertUser
        case .upsertPartner: .upsertPartner
        case .startConversation: .startConversation
        case .postMessage: .postMessage
        case .markRead: .markRead
        case .markUnread: .markUnread
        case .saveDraft: .saveDraft
        case .discardDraft: .discardDraft
        case .setDelivery: .setDelivery
        case .redacted: .redacted
        }
    }
}

/// Starts a conversation with its first message. The op's dot names both the conversation and
/// that first message.
public struct StartConversation: Hashable, Codable, Sendable {
    public var kind: ConversationKind
    public var partner: PartnerID
    public var subject: String
    /// The forwarded customer message; present exactly when `kind` is `.inquiry`.
    public var inquiry: CustomerInquiry?
    /// The first message's text (for an inquiry: the partner's note).
    public var body: String
    /// The compose draft this sends, if any, and the versions of it the sender had seen.
    public var draft: DraftKey?
    public var supersedes: [Dot]

    public init(kind: ConversationKind, partner: PartnerID, subject: String, inquiry: CustomerInquiry? = nil,
                body: String, draft: DraftKey? = nil, supersedes: [Dot] = []) {
        self.kind = kind
        self.partner = partner
        self.subject = subject
        self.inquiry = inquiry
        self.body = body
        self.draft = draft
        self.supersedes = supersedes
    }
}

/// Posts a message in an existing conversation. Sends the actor's draft of that conversation:
/// `supersedes` names the draft versions the sender had seen (a concurrent edit survives).
public struct PostMessage: Hashable, Codable, Sendable {
    public var conversation: ConversationID
    public var body: String
    public var supersedes: [Dot]

    public init(conversation: ConversationID, body: String, supersedes: [Dot] = []) {
        self.conversation = conversation
        self.body = body
        self.supersedes = supersedes
    }
}

/// The actor has read every message of `conversation` that `marker` covers, and clears the
/// *mark unread* ops named in `clears` (those it had seen).
public struct MarkRead: Hashable, Codable, Sendable {
    public var conversation: ConversationID
    public var marker: VersionVector
    public var clears: [Dot]

    public init(conversation: ConversationID, marker: VersionVector, clears: [Dot] = []) {
        self.conversation = conversation
        self.marker = marker
        self.clears = clears
    }
}

/// The actor marks `conversation` unread. The op's dot identifies the mark; a later read clears it.
public struct MarkUnread: Hashable, Codable, Sendable {
    public var conversation: ConversationID

    public init(conversation: ConversationID) { self.conversation = conversation }
}

/// A new version of the actor's draft for `key`, replacing the versions named in `supersedes`.
public struct SaveDraft: Hashable, Codable, Sendable {
    public var key: DraftKey
    public var text: String
    /// For a compose draft: who it goes to and its subject (either may still be unset).
    public var partner: PartnerID?
    public var subject: String?
    public var supersedes: [Dot]

    public init(key: DraftKey, text: String, partner: PartnerID? = nil, subject: String? = nil,
                supersedes: [Dot] = []) {
        self.key = key
        self.text = text
        self.partner = partner
        self.subject = subject
        self.supersedes = supersedes
    }
}

/// Throws away the draft versions named in `supersedes`; a concurrent edit survives.
public struct DiscardDraft: Hashable, Codable, Sendable {
    public var key: DraftKey
    public var supersedes: [Dot]

    public init(key: DraftKey, supersedes: [Dot]) {
        self.key = key
        self.supersedes = supersedes
    }
}

/// The server reports where a brand user's message stands on its way to the partner.
public struct SetDelivery: Hashable, Codable, Sendable {
    public var message: MessageID
    public var state: DeliveryState
    public var reason: String?

    public init(message: MessageID, state: DeliveryState, reason: String? = nil) {
        self.message = message
        self.state = state
        self.reason = reason
    }
}
