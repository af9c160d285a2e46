public import Causality
public import InboxModel

/// Who a replica is: its own id, its brand, and the user whose device it is.
///
/// A device replica has a `viewer`: the user whose drafts and read state it keeps and for whom it
/// computes unread flags. The server's replica has none.
public struct ReplicaIdentity: Hashable, Sendable, Codable {
    public var replica: ReplicaID
    public var brand: BrandID
    public var viewer: UserID?

    public init(replica: ReplicaID, brand: BrandID, viewer: UserID?) {
        self.replica = replica
        self.brand = brand
        self.viewer = viewer
    }
}
