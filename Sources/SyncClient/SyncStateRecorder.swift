import Causality
import Logging
import Replica
import SyncEngine
import NIOPosix

/// Keeps a device replica's ``SyncState`` up to date from a session's events, whatever the
/// transport: the server's replica, its vector and the clock skew from the Welcome, what the server
/// acknowledged, and how the last sync ended.
enum SyncStateRecorder {
    static let logger = Logger(label: "outpost.sync")

    /// Called from the driver's event handler, which runs on the store pool.
    static func record(_ event: SyncEvent, in replica: Replica) {
        if case .caughtUp = event { mergeSearchIndex(of: replica) }
        guard let change = SyncState.change(for: event) else { return }
        note(in: replica, change)
    }

    /// After a long catch-up, the search indexes merged into one segment each
    /// (``Replica/mergeSearchIndexIfNeeded()``). A merge that fails leaves the index as it was
    /// (searches find the same rows, more slowly), so it is logged.
    private static func mergeSearchIndex(of replica: Replica) {
        do {
            if try replica.mergeSearchIndexIfNeeded() { logger.debug("search index merged") }
        } catch {
            logger.error("cannot merge the search index", metadata: ["error": "\(error)"])
        }
    }

    /// How the sync failed, written on the store pool.
    static func recordFailure(_ failure: SyncFailure, in replica: Replica) async {
        await onStore { note(in: replica) { state in state.lastError = failure.description } }
    }

    /// That the sync ended well, written on the store pool.
    static func recordSuccess(in replica: Replica, nowMs: UInt64) async {
        await onStore {
            note(in: replica) { state in
                state.lastSyncMs = nowMs
                state.lastError = nil
            }
        }
    }

    /// `body` on the store pool (here, if the pool no longer runs).
    private static func onStore(_ body: @escaping @Sendable () -> Void) async {
        if (try? await NIOThreadPool.onStore(body)) == nil { body() }
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
