@testable import Replica

/// The segments of a replica's `messages_fts`, for tests of how apply and merges write the index.
enum SearchSegments {
    /// Turns FTS5's own merging off, so that every segment a write leaves stays countable.
    static func keepAll(_ replica: Replica) throws {
        try replica.writer.write { db in
            try db.execute(sql: """
                INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
                INSERT INTO messages_fts (messages_fts, rank) VALUES ('crisismerge', 1999);
                """)
        }
    }

    /// How many segments `messages_fts` has (FTS5 row ids carry the segment id above bit 37; the
    /// structure and averages rows are below).
    static func count(_ replica: Replica) throws -> Int {
        try replica.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT id >> 37) FROM messages_fts_data WHERE id >> 37 > 0") ?? 0
        }
    }
}
