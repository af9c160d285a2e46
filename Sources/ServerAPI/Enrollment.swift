public import Causality
public import InboxModel

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
