public import Causality
public import Replica
public import Wire

/// What happened during a sync, for status and progress.
public enum SyncEvent: Sendable, Hashable {
    case connected(peer: ReplicaID, clockSkewMs: Int64, peerHave: VersionVector)
    /// A batch from the peer was applied: its op count, and whether more follow.
    case applied(ops: Int, more: Bool)
    /// This side sent the peer a batch of `ops` ops (only when there were some): what went up, as
    /// against what the peer acknowledged, which may be ops it already had.
    case sent(ops: Int)
    /// The peer acknowledged everything this vector covers.
    case acknowledged(VersionVector)
    case caughtUp
    /// The server did not know the base the hello's vector was written against; the hello went
    /// again with the whole vector (Protocol/SPEC.md, "Vector changes").
    case helloResent
    /// This side sent the peer an Error frame (the session ends with it): what a server counts as
    /// an error sent, apart from one it received.
    case errorSent(ErrorFrame)
}

extension SyncState {
    /// What a device keeps of a session `event` (`outpost status`, and which of its own messages
    /// show `pending` or `queued`): the server's replica, vector and clock skew from the Welcome,
    /// and what the server acknowledged. `nil` for an event it keeps nothing of (no write needed).
    public static func change(for event: SyncEvent) -> (@Sendable (inout SyncState) -> Void)? {
        switch event {
        case .connected(let peer, let skew, let peerHave):
            { state in
                state.serverReplica = peer
                state.clockSkewMs = skew
                state.serverHave = peerHave
            }
        case .acknowledged(let vector):
            { state in state.acknowledged.join(vector) }
        case .applied, .sent, .caughtUp, .helloResent, .errorSent:
            nil
        }
    }
}
