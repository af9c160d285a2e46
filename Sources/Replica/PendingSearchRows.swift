import GRDB

/// The search-index rows of the ops applied in one transaction, written together at its end
/// (``OpApplier/finish()``) rather than one by one as each op is applied.
///
/// Why: FTS5 keeps the rows of a transaction in memory and writes them out as one segment, but it
/// must write them out at every statement savepoint, and SQLite opens one for any statement that
/// may fail halfway through after writing (an `INSERT OR REPLACE` on a table with a foreign key,
/// such as a delivery state). Indexed as they came, the messages of a sync batch were written to
/// disk in as many tiny segments as there were such statements between them (35% of a first
/// sync's time, then merged again by FTS5). Written last, a batch is one segment.
///
/// Nothing reads the search tables while a transaction applies ops, except a partner rename, which
/// writes the pending rows first (``Materializer``).
final class PendingSearchRows {
    private var messages: [(rowid: Int64, body: String)] = []
    private var conversations: [(rowid: Int64, subject: String, partnerName: String, customerText: String)] = []

    func addMessage(_ rowid: Int64, body: String) {
        messages.append((rowid, body))
    }

    func addConversation(_ rowid: Int64, subject: String, partnerName: String, customerText: String) {
        conversations.append((rowid, subject, partnerName, customerText))
    }

    /// Inserts every pending row, in the order they came (row id order: FTS5 appends).
    func write(_ db: Database) throws {
        if !conversations.isEmpty {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO conversations_fts (rowid, subject, partner_name, customer_text) VALUES (?, ?, ?, ?)
                """)
            for row in conversations {
                try insert.execute(arguments: [row.rowid, row.subject, row.partnerName, row.customerText])
            }
            conversations.removeAll(keepingCapacity: true)
        }
        if !messages.isEmpty {
            let insert = try db.cachedStatement(sql: "INSERT INTO messages_fts (rowid, body) VALUES (?, ?)")
            for row in messages { try insert.execute(arguments: [row.rowid, row.body]) }
            messages.removeAll(keepingCapacity: true)
        }
    }
}
