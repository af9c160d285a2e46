import Foundation
import GRDBSQLite
import Wire

/// The baseline's messages, kept the plain way: a table with the body, the indexes Outpost's own
/// messages table had before schema v8, and an FTS5 index filled by a trigger. The fixture builds
/// it from Outpost's rows with the same ids (so both sides return the same rows); Outpost never
/// reads it.
public enum PlainMessages {
    public static let table = "plain_messages"

    static let schema = """
        CREATE TABLE plain_messages (
            id INTEGER PRIMARY KEY,
            replica INTEGER NOT NULL,
            counter INTEGER NOT NULL,
            conversation INTEGER NOT NULL,
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            wall INTEGER NOT NULL,
            logical INTEGER NOT NULL,
            UNIQUE (replica, counter)
        );
        CREATE INDEX plain_messages_thread ON plain_messages (conversation, wall, logical, replica);
        CREATE VIRTUAL TABLE plain_messages_fts USING fts5 (
            body, content = 'plain_messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER plain_messages_fts_insert AFTER INSERT ON plain_messages BEGIN
            INSERT INTO plain_messages_fts (rowid, body) VALUES (new.id, new.body);
        END;
        INSERT INTO plain_messages (id, replica, counter, conversation, author, body, wall, logical)
            SELECT id, replica, counter, conversation, author, body, wall, logical FROM messages ORDER BY id;
        """

    /// Adds the table to a freshly built fixture, in one transaction.
    static func add(to connection: SQLiteConnection) throws {
        try connection.execute("BEGIN; " + schema + " COMMIT;")
    }

    /// The tables that belong to the baseline, not to Outpost: left out of Outpost's size on disk.
    public static let tables = ["plain_messages", "plain_messages_thread", "sqlite_autoindex_plain_messages_1"]
        + ["data", "idx", "docsize", "config"].map { "plain_messages_fts_\($0)" }
}

/// `message_body(payload)` for a plain C-API connection: what the replica's own connections
/// register (Sources/Replica/MessageBodyFunction.swift), so that the `messages` view reads here too.
func registerMessageBody(_ handle: OpaquePointer) {
    sqlite3_create_function_v2(handle, "message_body", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { context, _, values in
        guard let value = values?[0], sqlite3_value_type(value) == SQLITE_BLOB,
              let bytes = sqlite3_value_blob(value) else {
            sqlite3_result_null(context)
            return
        }
        let payload = [UInt8](UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_value_bytes(value))))
        guard let body = (try? OpPayload.messageBody(payload)) ?? nil else {
            sqlite3_result_null(context)
            return
        }
        // SQLITE_TRANSIENT: SQLite copies the text before the Swift string goes away.
        sqlite3_result_text(context, body, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }, nil, nil, nil)
}
