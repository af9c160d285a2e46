public import Causality
public import InboxModel

/// One message as the thread view shows it.
public struct ThreadMessage: Hashable, Sendable, Codable {
    public var id: MessageID
    public var author: Principal
    public var authorName: String
    public var body: String
    /// When it was written (ms since the Unix epoch, by its HLC stamp).
    public var time: UInt64
    public var stamp: HLCTimestamp
    /// Written by this replica's viewer.
    public var isOwn: Bool
    /// For brand users' messages: where delivery to the partner stands (`pending` until the server
    /// reports on it).
    public var delivery: DeliveryState?
    public var deliveryReason: String?
    public var unread: Bool
}

/// The partner info panel beside a thread, and the heart of the partner profile.
public struct PartnerPanel: Hashable, Sendable, Codable {
    public var partner: Partner
    public var conversations: Int
    public var messages: Int
    public var unreadConversations: Int
    /// Newest activity with this partner, if any.
    public var lastActivity: UInt64?
}

/// A whole thread: its messages in causal (HLC) order, beside the partner panel.
public struct ThreadView: Hashable, Sendable, Codable {
    public var id: ConversationID
    public var kind: ConversationKind
    public var subject: String
    public var startedBy: Principal
    /// For a Customer Inquiry: the customer's original message.
    public var inquiry: CustomerInquiry?
    public var messages: [ThreadMessage]
    public var partner: PartnerPanel
    public var unread: Bool
    /// The viewer's draft versions for this thread (several when edited concurrently).
    public var draft: [DraftVersionView]
    /// Two concurrent versions merged cleanly (see ``DraftView/merged``).
    public var draftMerged: String?
}

/// One live version of a draft.
public struct DraftVersionView: Hashable, Sendable, Codable {
    public var version: Dot
    public var text: String
    public var partner: PartnerID?
    public var subject: String?
    /// When it was saved (ms since the Unix epoch).
    public var savedAt: UInt64
    /// The replica (device) that saved it.
    public var savedOn: ReplicaID
}

/// A draft and its versions.
public struct DraftView: Hashable, Sendable, Codable {
    public var key: DraftKey
    /// The thread's subject, or the compose draft's subject.
    public var subject: String?
    public var partner: PartnerID?
    /// The live versions, oldest first. More than one: edits made on different devices without
    /// seeing each other.
    public var versions: [DraftVersionView]
    /// When two concurrent versions edit different parts of the text: both edits, merged three-way
    /// against the version both devices had seen. Sending or saving uses this text.
    public var merged: String?
    /// Several versions that could not be merged: the user must pick one or write the resolution.
    public var inConflict: Bool

    public init(key: DraftKey, subject: String?, partner: PartnerID?, versions: [DraftVersionView], merged: String?) {
        self.key = key
        self.subject = subject
        self.partner = partner
        self.versions = versions
        self.merged = merged
        self.inConflict = versions.count > 1 && merged == nil
    }

    /// The text the draft reads as: the merged text, or the only version's.
    public var text: String? {
        merged ?? (versions.count == 1 ? versions[0].text : nil)
    }
}

/// A partner in the partners list.
public struct PartnerSummary: Hashable, Sendable, Codable {
    public var partner: Partner
    public var conversations: Int
    public var unreadConversations: Int
    public var lastActivity: UInt64?
}

/// A partner's profile: the info panel plus their recent conversations.
public struct PartnerProfile: Hashable, Sendable, Codable {
    public var panel: PartnerPanel
    public var recent: [InboxRow]
}
