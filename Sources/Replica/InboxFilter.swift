public import InboxModel

/// What the inbox list shows: filters and search combine (all must hold). Without a search, newest
/// activity first; with one, newest match first (see ``Replica/search(_:filter:)``).
public struct InboxFilter: Hashable, Sendable {
    public var unreadOnly: Bool
    public var partner: PartnerID?
    public var status: PartnershipStatus?
    public var kind: ConversationKind?
    /// Keywords: every word must match a subject, a message body, a partner name or forwarded
    /// customer text. The last word also matches as a prefix.
    public var search: String?
    public var limit: Int
    public var offset: Int

    public init(unreadOnly: Bool = false, partner: PartnerID? = nil, status: PartnershipStatus? = nil,
                kind: ConversationKind? = nil, search: String? = nil, limit: Int = 50, offset: Int = 0) {
        self.unreadOnly = unreadOnly
        self.partner = partner
        self.status = status
        self.kind = kind
        self.search = search
        self.limit = limit
        self.offset = offset
    }
}
