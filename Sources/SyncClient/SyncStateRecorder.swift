import Causality
import Replica
import SyncEngine

/// Keeps a device replica's ``SyncState`` up to date from a session's events, whatever the
/// transport: the server's replica, its vector and the clock skew from the Welcome, what the server
/// acknowledged, and how the last sync ended.
enum SyncStateRecorder {
    static func record(_ event: SyncEvent, in replica: Replica) {
        switch event {
        case .connected(let peer, let skew, let peerHave):
            try? replica.updateSyncState { state in
                state.serverReplica = peer
                state.clockSkewMs = skew
                state.serverHave = peerHave
            }
        case .acknowledged(let vector):
            try? replica.updateSyncState { state in state.acknowledged.join(vector) }
        case .applied, .caughtUp:
            break
        }
    }

    static func recordFailure(_ failure: SyncFailure, in replica: Replica) {
        try? replica.updateSyncState { state in state.lastError = failure.description }
    }

    static func recordSuccess(in replica: Replica, nowMs: UInt64) {
        try? replica.updateSyncState { state in
            state.lastSyncMs = nowMs
            state.lastError = nil
        }
    }
}
