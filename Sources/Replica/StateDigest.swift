import Crypto
import Foundation
internal import GRDB

/// Canonical digests of a replica's state, independent of apply order and local row ids.
///
/// - `state` covers what the merge rules decide: brand, users, partners, conversations, messages
///   (with their stamps), read state, live draft versions and delivery states. Two replicas that
///   have applied the same ops have the same `state` digest.
/// - `summary` covers what apply derives for speed: each conversation's newest activity, preview,
///   count and unread flag. It depends on the viewer, so compare it only between replicas of one
///   user.
///
/// Each row is written as fields `<utf8 length>:<text>` joined by `|`, one row per line, tables in
/// a fixed order, rows sorted by their ids; the digest is SHA-256 of that text, in lowercase hex.
public struct StateDigest: Hashable, Sendable, Codable {
    public var state: String
    public var summary: String

    static func compute(_ db: Database) throws -> StateDigest {
        var state = SHA256()
        let queries: [(String, String)] = [
            ("brand", "SELECT id, name FROM brand ORDER BY id"),
            ("user", "SELECT id, name, email FROM users ORDER BY id"),
            ("partner", "SELECT id, name, contact_email, status, status_since FROM partners ORDER BY id"),
            ("conversation", """
                SELECT replica, counter, kind, partner_id, subject, started_by, COALESCE(inquiry, '')
                FROM conversations ORDER BY replica, counter
                """),
            ("message", """
                SELECT m.replica, m.counter, c.replica, c.counter, m.author, m.wall, m.logical, m.body
                FROM messages m JOIN conversations c ON c.id = m.conversation ORDER BY m.replica, m.counter
                """),
            ("read", """
                SELECT r.user_id, c.replica, c.counter, r.marker, r.unread_marks
                FROM read_state r JOIN conversations c ON c.id = r.conversation ORDER BY r.user_id, c.replica, c.counter
                """),
            ("draft", """
                SELECT user_id, draft_key, replica, counter, wall, logical, text, COALESCE(partner_id, ''),
                       COALESCE(subject, '')
                FROM drafts ORDER BY user_id, draft_key, replica, counter
                """),
            ("delivery", """
                SELECT m.replica, m.counter, d.state, COALESCE(d.reason, '')
                FROM deliveries d JOIN messages m ON m.id = d.message ORDER BY m.replica, m.counter
                """),
        ]
        for (tag, sql) in queries { try feed(&state, tag: tag, sql: sql, db) }
        var summary = SHA256()
        try feed(&summary, tag: "summary", sql: """
            SELECT replica, counter, last_wall, last_logical, last_replica, last_author, preview, message_count, unread
            FROM conversations ORDER BY replica, counter
            """, db)
        return StateDigest(state: hex(state.finalize()), summary: hex(summary.finalize()))
    }

    private static func feed(_ hash: inout SHA256, tag: String, sql: String, _ db: Database) throws {
        let cursor = try Row.fetchCursor(db, sql: sql)
        while let row = try cursor.next() {
            var line = tag
            for index in 0..<row.count {
                let value: String = row[index]
                line += "|\(value.utf8.count):\(value)"
            }
            line += "\n"
            hash.update(data: Data(line.utf8))
        }
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
