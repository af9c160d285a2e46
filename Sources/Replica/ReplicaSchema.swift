internal import GRDB
import Foundation
import InboxModel

/// The replica's SQLite schema, as versioned migrations. Protocol/REPLICA_SCHEMA.md describes it.
///
/// Rules: a migration, once released, never changes; a new need is a new migration. Each
/// migration runs in one transaction. A file whose applied migrations this build does not know
/// was written by a newer Outpost and is refused (`schema_too_new`) rather than guessed at.
enum ReplicaSchema {
    /// The newest migration this build knows.
    static let latest = "v8-messages-in-the-journal"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal-and-state", migrate: v1)
        migrator.registerMigration("v2-conversation-search", migrate: v2)
        migrator.registerMigration("v3-search-order-and-draft-ancestry", migrate: v3)
        migrator.registerMigration("v4-partial-unread-index", migrate: v4)
        migrator.registerMigration("v5-external-ids", migrate: v5)
        migrator.registerMigration("v6-journal-payloads", migrate: v6)
        migrator.registerMigration("v7-one-clock-table", migrate: v7)
        migrator.registerMigration("v8-messages-in-the-journal", migrate: v8)
        return migrator
    }

    /// The journal, causal bookkeeping and the materialised inbox, with search over message bodies.
    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;

            -- Causal bookkeeping. version_vector: per replica, the highest counter applied (always a
            -- gap-free prefix). local_context: what this replica's own latest op depended on, from
            -- which the deps of its next op are computed.
            CREATE TABLE version_vector (replica INTEGER PRIMARY KEY NOT NULL, counter INTEGER NOT NULL);
            CREATE TABLE local_context (replica INTEGER PRIMARY KEY NOT NULL, counter INTEGER NOT NULL);

            -- Every op applied here, in apply order (a causal order). payload: the op as JSON.
            CREATE TABLE journal (
                seq INTEGER PRIMARY KEY,
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                wall INTEGER NOT NULL,
                logical INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                payload BLOB NOT NULL,
                UNIQUE (replica, counter)
            );

            -- Ops received before their causal past: kept, not applied, until it arrives.
            CREATE TABLE held_ops (
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (replica, counter)
            ) WITHOUT ROWID;

            -- Server-owned facts; stamp columns hold the winning write's HLC stamp.
            CREATE TABLE brand (
                id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL,
                wall INTEGER NOT NULL, logical INTEGER NOT NULL, stamp_replica INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE users (
                id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
                wall INTEGER NOT NULL, logical INTEGER NOT NULL, stamp_replica INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE partners (
                id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, contact_email TEXT NOT NULL,
                status TEXT NOT NULL, status_since INTEGER NOT NULL,
                wall INTEGER NOT NULL, logical INTEGER NOT NULL, stamp_replica INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX partners_name ON partners (name COLLATE NOCASE);

            -- Conversations, with the inbox summary kept by apply (newest message, count, unread
            -- flag for this replica's viewer), so that the inbox list never groups over messages.
            CREATE TABLE conversations (
                id INTEGER PRIMARY KEY,
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                kind TEXT NOT NULL,
                partner_id TEXT NOT NULL,
                subject TEXT NOT NULL,
                started_by TEXT NOT NULL,
                inquiry TEXT,
                last_wall INTEGER NOT NULL,
                last_logical INTEGER NOT NULL,
                last_replica INTEGER NOT NULL,
                last_author TEXT NOT NULL,
                preview TEXT NOT NULL,
                message_count INTEGER NOT NULL,
                unread INTEGER NOT NULL DEFAULT 0,
                UNIQUE (replica, counter)
            );
            CREATE INDEX conversations_activity ON conversations (last_wall DESC, last_logical DESC, last_replica DESC);
            CREATE INDEX conversations_unread ON conversations (unread, last_wall DESC, last_logical DESC, last_replica DESC);
            CREATE INDEX conversations_partner ON conversations (partner_id, last_wall DESC, last_logical DESC, last_replica DESC);

            CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                conversation INTEGER NOT NULL REFERENCES conversations (id),
                author TEXT NOT NULL,
                body TEXT NOT NULL,
                wall INTEGER NOT NULL,
                logical INTEGER NOT NULL,
                UNIQUE (replica, counter)
            );
            CREATE INDEX messages_thread ON messages (conversation, wall, logical, replica);

            CREATE VIRTUAL TABLE messages_fts USING fts5 (
                body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
            END;

            -- Per user and conversation: the read marker (JSON list of dots) and uncleared unread marks.
            CREATE TABLE read_state (
                user_id TEXT NOT NULL,
                conversation INTEGER NOT NULL REFERENCES conversations (id),
                marker TEXT NOT NULL,
                unread_marks TEXT NOT NULL,
                PRIMARY KEY (user_id, conversation)
            ) WITHOUT ROWID;

            -- Live draft versions per user and draft key (conversation id, or new:dot for a compose).
            CREATE TABLE drafts (
                user_id TEXT NOT NULL,
                draft_key TEXT NOT NULL,
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                wall INTEGER NOT NULL,
                logical INTEGER NOT NULL,
                text TEXT NOT NULL,
                partner_id TEXT,
                subject TEXT,
                PRIMARY KEY (user_id, draft_key, replica, counter)
            ) WITHOUT ROWID;

            CREATE TABLE deliveries (
                message INTEGER PRIMARY KEY NOT NULL REFERENCES messages (id),
                state TEXT NOT NULL,
                reason TEXT,
                wall INTEGER NOT NULL, logical INTEGER NOT NULL, stamp_replica INTEGER NOT NULL
            );
            """)
    }

    /// Search over conversation-level text: subject, partner name, forwarded customer text.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE conversations_fts USING fts5 (
                subject, partner_name, customer_text, tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO conversations_fts (rowid, subject, partner_name, customer_text)
                SELECT c.id, c.subject, COALESCE(p.name, ''),
                       COALESCE(json_extract(c.inquiry, '$.customerName') || ' ' ||
                                json_extract(c.inquiry, '$.storefront') || ' ' ||
                                json_extract(c.inquiry, '$.product') || ' ' ||
                                json_extract(c.inquiry, '$.text'), '')
                FROM conversations c LEFT JOIN partners p ON p.id = c.partner_id;
            """)
    }

    /// `conversations.last_message`: the local row id of the newest message to arrive, which orders
    /// search results (newest match first). `drafts.supersedes`: what each live draft version replaced,
    /// so that two concurrent versions can merge against the version both had seen. Both are filled
    /// from what the file already holds.
    static func v3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE conversations ADD COLUMN last_message INTEGER NOT NULL DEFAULT 0;
            UPDATE conversations SET last_message = COALESCE(
                (SELECT MAX(id) FROM messages WHERE messages.conversation = conversations.id), 0);
            ALTER TABLE drafts ADD COLUMN supersedes TEXT NOT NULL DEFAULT '[]';
            UPDATE drafts SET supersedes = COALESCE(
                (SELECT json_extract(journal.payload, '$.body.value.supersedes') FROM journal
                 WHERE journal.replica = drafts.replica AND journal.counter = drafts.counter), '[]');
            """)
    }

    /// Fewer index entries to rewrite per message: the unread index holds only unread conversations
    /// (a reply or a read in a read conversation, most of them, touches none of it), and the partner
    /// index no longer carries the activity columns (the partner filter sorts one partner's
    /// conversations instead).
    static func v4(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX conversations_unread;
            CREATE INDEX conversations_unread ON conversations (last_wall DESC, last_logical DESC, last_replica DESC)
                WHERE unread = 1;
            DROP INDEX conversations_partner;
            CREATE INDEX conversations_partner ON conversations (partner_id);
            """)
    }

    /// Server side: which ops an outside request made (a platform event id, a partner's
    /// idempotency key), so that the same request delivered again makes nothing new. Written in
    /// the same transaction as the ops. Empty on devices.
    static func v5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE external_ids (
                source TEXT NOT NULL,
                id TEXT NOT NULL,
                dots TEXT NOT NULL,
                received INTEGER NOT NULL,
                PRIMARY KEY (source, id)
            ) WITHOUT ROWID;
            """)
    }

    /// Journal payloads a sync can send as they are: `journal.owner` holds the user a private op
    /// (read state, drafts) belongs to, so that the server redacts it for other users without
    /// decoding anything; and every payload still in the JSON of files written before schema v5
    /// (journal and held ops) is rewritten as the op's protobuf payload, the only form frames carry.
    static func v6(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE journal ADD COLUMN owner TEXT")
        let privateKinds = OpKind.allCases.filter(\.isPrivate).map { String($0.rawValue) }.joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, payload FROM journal
            WHERE kind IN (\(privateKinds)) OR substr(CAST(payload AS BLOB), 1, 1) = X'7B'
            """)
        for row in rows {
            let payload: Data = row[1]
            let op = try OpCodec.decodeStored(payload)
            try db.execute(sql: "UPDATE journal SET owner = ?, payload = ? WHERE seq = ?",
                           arguments: [op.privateOwner?.rawValue, try OpCodec.encode(op), row[0] as Int64])
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT replica, counter, payload FROM held_ops WHERE substr(CAST(payload AS BLOB), 1, 1) = X'7B'
            """) {
            let op = try OpCodec.decodeStored(row[2] as Data)
            try db.execute(sql: "UPDATE held_ops SET payload = ? WHERE replica = ? AND counter = ?",
                           arguments: [try OpCodec.encode(op), row[0] as Int64, row[1] as Int64])
        }
    }

    /// The causal bookkeeping in one small table, `clock`: the applied vector, the local context and
    /// the hybrid logical clock, which every transaction that applies an op rewrites. In three
    /// places (`version_vector`, `local_context`, and two rows of `meta`) they cost a commit three
    /// B-tree pages; in one table they share a page (a vector of a few hundred replicas).
    static func v7(_ db: Database) throws {
        try db.execute(sql: """
            -- kind 0: the applied vector (replica, counter); 1: the local context (replica, counter);
            -- 2: the hybrid logical clock's greatest stamp (replica 0, counter = wall ms, logical).
            CREATE TABLE clock (
                kind INTEGER NOT NULL,
                replica INTEGER NOT NULL,
                counter INTEGER NOT NULL,
                logical INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (kind, replica)
            ) WITHOUT ROWID;
            INSERT INTO clock (kind, replica, counter) SELECT 0, replica, counter FROM version_vector;
            INSERT INTO clock (kind, replica, counter) SELECT 1, replica, counter FROM local_context;
            INSERT INTO clock (kind, replica, counter, logical)
                SELECT 2, 0,
                       COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc_wall'), 0),
                       COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc_logical'), 0);
            DROP TABLE version_vector;
            DROP TABLE local_context;
            DELETE FROM meta WHERE key IN ('hlc_wall', 'hlc_logical');
            """)
    }

    /// A message is its journal row: `journal.conversation` and `journal.author` place a message op
    /// (start or post) in its thread, and `messages` becomes a view of those rows whose `body` is
    /// read from the op's payload (`message_body`, a function every connection of a replica has).
    /// The text is stored once, not in the journal and again in a table of its own, and a new
    /// message writes one row instead of two (with their indexes). `messages.id` is the journal's
    /// `seq`: the search index, `conversations.last_message` and `deliveries.message` are moved
    /// over to it, and the search index is rebuilt from the view.
    static func v8(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE journal ADD COLUMN conversation INTEGER;
            ALTER TABLE journal ADD COLUMN author TEXT;
            UPDATE journal SET conversation = m.conversation, author = m.author
                FROM messages m WHERE m.replica = journal.replica AND m.counter = journal.counter;
            CREATE INDEX journal_thread ON journal (conversation, wall, logical, replica) WHERE conversation IS NOT NULL;

            CREATE TEMP TABLE message_seq (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
            INSERT INTO message_seq (id, seq)
                SELECT m.id, j.seq FROM messages m JOIN journal j ON j.replica = m.replica AND j.counter = m.counter;
            UPDATE conversations SET last_message = COALESCE(
                (SELECT seq FROM message_seq WHERE message_seq.id = conversations.last_message), 0);

            CREATE TABLE deliveries_v8 (
                message INTEGER PRIMARY KEY NOT NULL REFERENCES journal (seq),
                state TEXT NOT NULL,
                reason TEXT,
                wall INTEGER NOT NULL, logical INTEGER NOT NULL, stamp_replica INTEGER NOT NULL
            );
            INSERT INTO deliveries_v8 (message, state, reason, wall, logical, stamp_replica)
                SELECT s.seq, d.state, d.reason, d.wall, d.logical, d.stamp_replica
                FROM deliveries d JOIN message_seq s ON s.id = d.message;
            DROP TABLE deliveries;
            ALTER TABLE deliveries_v8 RENAME TO deliveries;
            DROP TABLE message_seq;

            DROP TRIGGER messages_fts_insert;
            DROP TABLE messages_fts;
            DROP TABLE messages;
            CREATE VIEW messages AS
                SELECT seq AS id, replica, counter, conversation, author, message_body(payload) AS body, wall, logical
                FROM journal WHERE conversation IS NOT NULL;
            CREATE VIRTUAL TABLE messages_fts USING fts5 (
                body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
            """)
    }
}
