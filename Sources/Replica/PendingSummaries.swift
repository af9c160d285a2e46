import GRDB
import InboxModel
import Merge

/// The inbox summaries (``InboxSummary``) of the conversations that ops of one transaction changed,
/// loaded once, kept up to date in memory, and written once per conversation at the end of the
/// transaction (``OpApplier/finish()``).
///
/// Why: a sync batch of about 1,400 messages touches about 100 conversations (the first sync of
/// 100k messages), and read-then-rewrite of the summary row for every message, with its activity
/// index entries, was a fifth of the device's time.
///
/// Everything that changes a conversation row inside the transaction goes through here: a new
/// message (``Materializer``'s `postMessage`, `startConversation`) and the unread flag a read-state
/// change decides. Nothing else reads the summary columns while ops apply.
final class PendingSummaries {
    /// A conversation's row as the transaction has it so far.
    struct Entry {
        let kind: ConversationKind
        let partner: PartnerID
        var summary: InboxSummary
        var lastMessage: Int64?
        /// The newest-message columns changed (they are in the activity index; left alone otherwise).
        var newestChanged = false
        var dirty = false
    }

    private var entries: [Int64: Entry] = [:]
    /// Local row ids of conversations already looked up (they never change).
    private var rowIDs: [ConversationID: Int64] = [:]
    /// Written in the order first changed, so that a transaction's writes do not depend on hashing.
    private var order: [Int64] = []

    /// The local row id of `id`, or `nil` if this replica has no such conversation.
    func rowID(_ id: ConversationID, _ db: Database) throws -> Int64? {
        if let rowID = rowIDs[id] { return rowID }
        let rowID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM conversations WHERE replica = ? AND counter = ?"),
            arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
        if let rowID { rowIDs[id] = rowID }
        return rowID
    }

    /// The local row id and entry of conversation `id`, from memory or else from the table; `nil` if
    /// this replica has no such conversation.
    func entry(_ id: ConversationID, _ db: Database) throws -> (rowID: Int64, entry: Entry)? {
        if let rowID = rowIDs[id], let entry = entries[rowID] { return (rowID, entry) }
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT id, kind, partner_id, last_wall, last_logical, last_replica, last_author, preview, message_count,
                    unread
                FROM conversations WHERE replica = ? AND counter = ?
                """), arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
        else { return nil }
        let rowID: Int64 = row[0]
        guard let kind = ConversationKind(rawValue: row[1]), let partner = PartnerID(rawValue: row[2]),
              let lastAuthor = Principal(text: row[6] as String)
        else { throw ReplicaError(.corrupt, "conversation \(id) cannot be read back") }
        let summary = InboxSummary(newest: Materializer.stamp(wall: row[3], logical: row[4], replica: row[5]),
                                   newestAuthor: lastAuthor, preview: row[7], messageCount: row[8], unread: row[9])
        let entry = Entry(kind: kind, partner: partner, summary: summary)
        rowIDs[id] = rowID
        entries[rowID] = entry
        return (rowID, entry)
    }

    /// A conversation this transaction has just inserted, with its summary, and `lastMessage` (its
    /// first message), which the row does not have yet.
    func started(_ conversation: Int64, id: ConversationID, kind: ConversationKind, partner: PartnerID,
                 summary: InboxSummary, lastMessage: Int64) {
        rowIDs[id] = conversation
        entries[conversation] = Entry(kind: kind, partner: partner, summary: summary, lastMessage: lastMessage,
                                      dirty: true)
        order.append(conversation)
    }

    /// The unread flag a read-state change decided: kept in memory when the row is, else written now
    /// (a row not in memory is read from the table when next needed).
    func setUnread(_ conversation: Int64, _ unread: Bool, _ db: Database) throws {
        if entries[conversation] != nil {
            update(conversation) { $0.summary.unread = unread }
        } else {
            try db.cachedStatement(sql: "UPDATE conversations SET unread = ? WHERE id = ?")
                .execute(arguments: [unread, conversation])
        }
    }

    /// Stores what the transaction decided for `conversation` (whose entry was read first).
    func update(_ conversation: Int64, _ change: (inout Entry) -> Void) {
        guard var entry = entries[conversation] else { return }
        let newest = entry.summary.newest
        change(&entry)
        if entry.summary.newest != newest { entry.newestChanged = true }
        if !entry.dirty { order.append(conversation) }
        entry.dirty = true
        entries[conversation] = entry
    }

    /// Writes every changed row: one UPDATE per conversation.
    func write(_ db: Database) throws {
        for conversation in order {
            guard let entry = entries[conversation] else { continue }
            let summary = entry.summary
            if entry.newestChanged {
                try db.cachedStatement(sql: """
                    UPDATE conversations SET last_wall = ?, last_logical = ?, last_replica = ?, last_author = ?,
                        preview = ?, message_count = ?, unread = ?, last_message = COALESCE(?, last_message) WHERE id = ?
                    """).execute(arguments: Materializer.stampArguments(summary.newest) + [
                        summary.newestAuthor.description, summary.preview, summary.messageCount, summary.unread,
                        entry.lastMessage, conversation,
                    ])
            } else {
                try db.cachedStatement(sql: """
                    UPDATE conversations SET message_count = ?, unread = ?, last_message = COALESCE(?, last_message)
                    WHERE id = ?
                    """).execute(arguments: [summary.messageCount, summary.unread, entry.lastMessage, conversation])
            }
        }
        entries.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
    }
}
