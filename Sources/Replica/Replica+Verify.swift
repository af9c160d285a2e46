public import Causality
public import InboxModel
internal import GRDB
import Foundation

extension Replica {
    /// The canonical digests of this replica's state (see ``StateDigest``).
    public func digest() throws(ReplicaError) -> StateDigest {
        try ReplicaError.wrap { try writer.read { db in try StateDigest.compute(db) } }
    }

    /// The version vector: per replica, the highest op applied here.
    public func versionVector() throws(ReplicaError) -> VersionVector {
        try ReplicaError.wrap {
            try writer.read { db in try ClockTable.vector(db) }
        }
    }

    /// Every journaled op, in apply order, `batchSize` at a time: for sync, rebuilds and exports.
    public func journal(batchSize: Int = 10_000, _ body: ([Op]) throws -> Void) throws(ReplicaError) {
        _ = try journal(after: 0, batchSize: batchSize, body)
    }

    /// The journaled ops after position `after` (0: all of them), in apply order, `batchSize` at a
    /// time; returns the position of the last one read (or `after`), for the next call. Positions
    /// only grow: an op once journaled keeps its place.
    public func journal(after position: Int64, batchSize: Int = 10_000,
                        _ body: ([Op]) throws -> Void) throws(ReplicaError) -> Int64 {
        var after = position
        while true {
            let rows = try ReplicaError.wrap {
                try writer.read { db in
                    try Row.fetchAll(db, sql: "SELECT seq, payload FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
                                     arguments: [after, batchSize])
                }
            }
            guard let last = rows.last else { return after }
            var ops: [Op] = []
            ops.reserveCapacity(rows.count)
            for row in rows { ops.append(try OpCodec.decode(row[1])) }
            try ReplicaError.wrap { try body(ops) }
            after = last[0]
        }
    }

    /// Rebuilds the state from the journal alone, in a fresh in-memory replica, and compares its
    /// digests with this replica's; also runs SQLite's integrity checks. `progress` gets the
    /// number of ops replayed so far.
    public func verify(progress: (Int) -> Void = { _ in }) throws(ReplicaError) -> VerifyReport {
        let rebuilt = try Replica.inMemory(identity: identity, clock: clock)
        var count = 0
        try journal { ops in
            try rebuilt.apply(ops)
            count += ops.count
            progress(count)
        }
        let integrity = try ReplicaError.wrap {
            try writer.write { db -> String in
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
                guard check == "ok" else { return check }
                for table in ["messages_fts", "conversations_fts"] {
                    do {
                        try db.execute(sql: "INSERT INTO \(table) (\(table), rank) VALUES ('integrity-check', 1)")
                    } catch {
                        return "\(table): \(error)"
                    }
                }
                return "ok"
            }
        }
        return VerifyReport(journalOps: count, stored: try digest(), rebuilt: try rebuilt.digest(), integrity: integrity)
    }

    /// Counts and identity, for `outpost replica info`.
    public func info() throws(ReplicaError) -> ReplicaInfo {
        let viewer = identity.viewer
        let counts = try ReplicaError.wrap {
            try writer.read { db -> [Int] in
                let queries = [
                    "SELECT COUNT(*) FROM journal", "SELECT COUNT(*) FROM held_ops", "SELECT COUNT(*) FROM conversations",
                    "SELECT COUNT(*) FROM messages", "SELECT COUNT(*) FROM partners",
                    "SELECT COUNT(*) FROM conversations WHERE unread = 1",
                ]
                var counts = try queries.map { try Int.fetchOne(db, sql: $0) ?? 0 }
                counts.append(try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT draft_key) FROM drafts WHERE user_id = ?",
                                               arguments: [viewer?.rawValue ?? ""]) ?? 0)
                return counts
            }
        }
        var bytes: Int64?
        if let path {
            // A missing -wal (checkpointed) has no size to add.
            bytes = ["", "-wal"].compactMap { suffix in
                (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber)?.int64Value
            }.reduce(0, +)
        }
        return ReplicaInfo(
            path: path, identity: identity, migrations: try appliedMigrations(), versionVector: try versionVector(),
            journalOps: counts[0], heldOps: counts[1], conversations: counts[2], messages: counts[3], partners: counts[4],
            unreadConversations: counts[5], drafts: counts[6], fileBytes: bytes, digest: try digest())
    }
}
