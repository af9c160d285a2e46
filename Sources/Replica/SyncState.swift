public import Causality

/// What a device remembers about its server between syncs, kept in the replica file so that it
/// survives restarts and crashes with the data it describes.
public struct SyncState: Hashable, Sendable, Codable {
    /// The server's base URL (`http://127.0.0.1:8750`).
    public var serverURL: String?
    /// The bearer token the server gave this device at enrollment. The file holding it is the
    /// user's; keep it private (the CLI creates replica folders 0700).
    public var token: String?
    public var serverReplica: ReplicaID?
    /// Everything this vector covers is durable on the server (its latest ack).
    public var acknowledged: VersionVector
    /// What the server had for this device at the last handshake (for first-sync progress).
    public var serverHave: VersionVector
    /// When the last sync completed (ms since the Unix epoch).
    public var lastSyncMs: UInt64?
    /// Server clock minus device clock at the last handshake, in ms.
    public var clockSkewMs: Int64?
    /// The last failure, if the last attempt failed.
    public var lastError: String?
    /// The vector this device and the server last agreed on (Protocol/SPEC.md, "Vector
    /// changes"): the next hello sends the device's vector as changes against it.
    public var vectorBase: VersionVector?

    public init(serverURL: String? = nil, token: String? = nil, serverReplica: ReplicaID? = nil,
                acknowledged: VersionVector = VersionVector(), serverHave: VersionVector = VersionVector(),
                lastSyncMs: UInt64? = nil, clockSkewMs: Int64? = nil, lastError: String? = nil,
                vectorBase: VersionVector? = nil) {
        self.vectorBase = vectorBase
        self.serverURL = serverURL
        self.token = token
        self.serverReplica = serverReplica
        self.acknowledged = acknowledged
        self.serverHave = serverHave
        self.lastSyncMs = lastSyncMs
        self.clockSkewMs = clockSkewMs
        self.lastError = lastError
    }
}
