import Causality
public import InboxModel

/// One row of the inbox list.
public struct InboxRow: Hashable, Sendable, Codable {
    public var id: ConversationID
    public var kind: ConversationKind
    public var partnerID: PartnerID
    public var partnerName: String
    public var partnerStatus: PartnershipStatus
    public var subject: String
    /// The start of the newest message, on one line.
    public var preview: String
    /// When the newest message was written (ms since the Unix epoch, by its HLC stamp).
    public var lastActivity: UInt64
    public var lastAuthor: Principal
    public var unread: Bool
    public var messageCount: Int
    /// The viewer has a draft in this thread.
    public var hasDraft: Bool
    /// For a search: the matching text, with matches in `[` `]`.
    public var snippet: String?
}
