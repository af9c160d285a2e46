public import Causality

/// What happened during a sync, for status and progress.
public enum SyncEvent: Sendable, Hashable {
    case connected(peer: ReplicaID, clockSkewMs: Int64, peerHave: VersionVector)
    /// A batch from the peer was applied: its op count, and whether more follow.
    case applied(ops: Int, more: Bool)
    /// The peer acknowledged everything this vector covers.
    case acknowledged(VersionVector)
    case caughtUp
}
