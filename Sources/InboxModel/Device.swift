public import Causality

/// One install of Outpost on a user's laptop or tablet: a replica that belongs to that user.
public struct Device: Hashable, Codable, Sendable {
    public var replica: ReplicaID
    public var user: UserID
    public var name: String

    public init(replica: ReplicaID, user: UserID, name: String) {
        self.replica = replica
        self.user = user
        self.name = name
    }
}
