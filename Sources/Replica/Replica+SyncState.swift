internal import GRDB
import Foundation

extension Replica {
    /// The device's sync state (server, token, last ack, last sync).
    public func syncState() throws(ReplicaError) -> SyncState {
        let text = try ReplicaError.wrap {
            try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'sync_state'") }
        }
        guard let text else { return SyncState() }
        return try OpCodec.decodeJSON(SyncState.self, text)
    }

    /// Changes the sync state in one transaction (read, modify, write).
    public func updateSyncState(_ change: (inout SyncState) -> Void) throws(ReplicaError) {
        try ReplicaError.wrap {
            try writer.write { db in
                var state = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'sync_state'")
                    .map { text throws(ReplicaError) in try OpCodec.decodeJSON(SyncState.self, text) } ?? SyncState()
                change(&state)
                try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_state', ?)",
                               arguments: [try OpCodec.encodeJSON(state)])
            }
        }
    }

    /// This replica's own ops that the server has not acknowledged yet: they wait to go up.
    public func pendingOps() throws(ReplicaError) -> Int {
        let acknowledged = try syncState().acknowledged[identity.replica]
        return try ReplicaError.wrap {
            try writer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE replica = ? AND counter > ?",
                                 arguments: [Int64(clamping: identity.replica.rawValue), Int64(clamping: acknowledged)]) ?? 0
            }
        }
    }
}
