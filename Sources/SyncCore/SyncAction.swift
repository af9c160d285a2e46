public import Causality
import InboxModel
public import Wire

/// What the driver of a ``SyncSession`` must do next. The session does no I/O: it returns actions,
/// and the driver reports back what happened. Every action is carried out the same way by the
/// one driver (`SyncEngine.SyncDriver`), whatever the transport and the store.
public enum SyncAction: Hashable, Sendable {
    /// Send this message to the peer.
    case send(WireMessage)
    /// Server only: the hello is accepted; read what the store has (its vector) and, when the
    /// hello's vector came as changes, the base with digest `base` that the store remembers for
    /// this device, then call ``SyncSession/vectorRead(have:base:clockMs:)`` for the Welcome.
    case readVector(base: UInt64?)
    /// Remember `vector` as agreed with the peer (Protocol/SPEC.md, "Vector changes"): a device
    /// writes its next hello as changes against it; a server keeps it among the bases this
    /// device's next hello may name. `nil` (device): forget it, the server did not know it.
    case rememberBase(VersionVector?)
    /// Load up to `limit` ops from the journal, in journal order, that `missingFrom` does not cover,
    /// then call ``SyncSession/opsLoaded(_:more:)``.
    case loadOps(missingFrom: VersionVector, limit: Int)
    /// Apply these ops in one transaction, then call ``SyncSession/applied(batch:have:)`` with the
    /// replica's vector after the commit (or ``SyncSession/applyFailed(_:)``). With a scope (the
    /// server applying a device's batch), the batch is checked with
    /// ``DeviceScope/refusal(of:serverHas:nowMs:)`` against the store's vector inside the same
    /// transaction, and refused whole (`invalid_op`) if the check fails.
    case apply(OpBatch, checkedBy: DeviceScope?)
    /// The peer has durably applied everything this vector covers: ops it covers are no longer
    /// pending.
    case peerAcknowledged(VersionVector)
    /// The handshake is done: who the peer is, what it had, and how far its clock is from ours
    /// (peer minus us, in ms; the one-way delay is not subtracted).
    case connected(peer: ReplicaID, peerHave: VersionVector, clockSkewMs: Int64)
    /// The first exchange is complete in both directions: everything each side had at the start
    /// has reached the other. A live session stays open after this.
    case caughtUp
    /// The session is over because of this error; the driver closes the transport.
    case failed(ErrorFrame)
}
