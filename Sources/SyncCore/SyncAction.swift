public import Causality
import InboxModel
public import Wire

/// What the driver of a ``SyncSession`` must do next. The session does no I/O: it returns actions,
/// and the driver reports back what happened.
public enum SyncAction: Hashable, Sendable {
    /// Send this message to the peer.
    case send(WireMessage)
    /// Server only: check the device's hello (token, scope), then call
    /// ``SyncSession/welcome(have:clockMs:)`` with what the server has in that device's scope, or
    /// ``SyncSession/refuse(_:)``.
    case authorize(Hello)
    /// Load up to `limit` ops from the journal, in journal order, that `missingFrom` does not cover,
    /// then call ``SyncSession/opsLoaded(_:more:)``.
    case loadOps(missingFrom: VersionVector, limit: Int)
    /// Apply these ops in one transaction, then call ``SyncSession/applied(batch:have:)`` with the
    /// replica's vector after the commit (or ``SyncSession/applyFailed(_:)``).
    case apply(OpBatch)
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
