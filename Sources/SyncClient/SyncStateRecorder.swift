import Causality
import Logging
import Replica
import SyncEngine

/// Keeps a device replica's ``SyncState`` up to date from a session's events, whatever the
/// transport: the server's replica, its vector and the clock skew from the Welcome, what the server
/// acknowledged, and how the last sync ended.
enum SyncStateRecorder {
    static let logger = Logger(label: "outpost.sync")

    static func record(_ event: SyncEvent, in replica: Replica) {
        guard let change = SyncState.change(for: event) else { return }
        note(in: replica, change)
    }

    static func recordFailure(_ failure: SyncFailure, in replica: Replica) {
        note(in: replica) { state in state.lastError = failure.description }
    }

    static func recordSuccess(in replica: Replica, nowMs: UInt64) {
        note(in: replica) { state in
            state.lastSyncMs = nowMs
            state.lastError = nil
        }
    }

    /// Writes the bookkeeping `outpost status` shows. A write that fails does not fail the sync (the
    /// ops are in; an acknowledgement not recorded is asked for again next time), so it is logged.
    private static func note(in replica: Replica, _ change: (inout SyncState) -> Void) {
        do {
            try replica.updateSyncState(change)
        } catch {
            logger.error("cannot record the sync state", metadata: ["error": "\(error)"])
        }
    }
}
