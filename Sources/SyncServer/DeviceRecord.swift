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

/// What `POST /v1/enroll` answers: the device's identity and its bearer token (shown once).
public struct Enrollment: Hashable, Sendable, Codable {
    public var replica: ReplicaID
    public var token: String
    public var brand: BrandID
    public var user: UserID
    public var serverReplica: ReplicaID

    public init(replica: ReplicaID, token: String, brand: BrandID, user: UserID, serverReplica: ReplicaID) {
        self.replica = replica
        self.token = token
        self.brand = brand
        self.user = user
        self.serverReplica = serverReplica
    }
}
