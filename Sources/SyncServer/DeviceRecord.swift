public import Causality
public import InboxModel

/// An enrolled device, as the server keeps it in `server.sqlite`.
public struct DeviceRecord: Hashable, Sendable, Codable {
    public var replica: ReplicaID
    public var brand: BrandID
    public var user: UserID
    public var name: String
    /// Milliseconds since the Unix epoch.
    public var created: UInt64
    /// When the device was revoked, or `nil` while it may sync.
    public var revoked: UInt64?

    public init(replica: ReplicaID, brand: BrandID, user: UserID, name: String, created: UInt64, revoked: UInt64?) {
        self.replica = replica
        self.brand = brand
        self.user = user
        self.name = name
        self.created = created
        self.revoked = revoked
    }
}
