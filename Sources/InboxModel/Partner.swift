/// Where a partnership stands.
public enum PartnershipStatus: String, CaseIterable, Codable, Sendable {
    /// Invited, not yet working together.
    case pending
    case active
    case paused
    /// The partnership is over: the partner left the platform or was ended.
    case ended
}

/// A partner of a brand: a creator or store that the brand works with.
///
/// Partners are facts owned by the server: only the server replica writes them, and the newest
/// write by hybrid logical clock wins.
public struct Partner: Hashable, Codable, Sendable {
    public var id: PartnerID
    public var name: String
    public var contactEmail: String
    public var status: PartnershipStatus
    /// When the partnership entered `status`, in milliseconds since the Unix epoch.
    public var statusSince: UInt64

    public init(id: PartnerID, name: String, contactEmail: String, status: PartnershipStatus, statusSince: UInt64) {
        self.id = id
        self.name = name
        self.contactEmail = contactEmail
        self.status = status
        self.statusSince = statusSince
    }
}
