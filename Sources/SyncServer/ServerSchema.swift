import GRDB

/// The versioned schema of `server.sqlite`. Never edit a migration; add the next one.
enum ServerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE brands (id TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL);
                CREATE TABLE users (
                    brand TEXT NOT NULL REFERENCES brands(id), id TEXT NOT NULL,
                    name TEXT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (brand, id));
                CREATE TABLE devices (
                    replica INTEGER PRIMARY KEY, brand TEXT NOT NULL, user TEXT NOT NULL, name TEXT NOT NULL,
                    created INTEGER NOT NULL, revoked INTEGER, token_hash BLOB NOT NULL UNIQUE,
                    FOREIGN KEY (brand, user) REFERENCES users(brand, id));
                CREATE INDEX devices_brand ON devices(brand);
                CREATE TABLE enrollment_codes (
                    hash BLOB PRIMARY KEY, brand TEXT NOT NULL, user TEXT NOT NULL,
                    created INTEGER NOT NULL, expires INTEGER NOT NULL, used INTEGER, device INTEGER);
                """)
        }
        // Partner API tokens (one partner of one brand each) and admin API tokens; only hashes.
        migrator.registerMigration("v2-partner-and-admin-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE partner_tokens (
                    token_hash BLOB PRIMARY KEY, brand TEXT NOT NULL REFERENCES brands(id), partner TEXT NOT NULL,
                    name TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER);
                CREATE INDEX partner_tokens_partner ON partner_tokens(brand, partner);
                CREATE TABLE admin_tokens (
                    token_hash BLOB PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER);
                """)
        }
        migrator.registerMigration("v3-outbox", migrate: outbox)
        // Admin tokens scoped to one brand (`brand`), or server-wide when NULL: tokens made before
        // this migration were server-wide and stay so.
        migrator.registerMigration("v4-admin-token-scope") { db in
            try db.execute(sql: "ALTER TABLE admin_tokens ADD COLUMN brand TEXT")
        }
        // Claims on due messages (`DeliveryOutbox.claimDue`): the server's worker and `outpost admin
        // deliver` never attempt one message at once.
        migrator.registerMigration("v5-outbox-claims") { db in
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN claimant TEXT;
                ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
                """)
        }
        return migrator
    }

    /// The delivery worker's bookkeeping (Protocol/SERVER_API.md, "Reply delivery"). What is owed
    /// lives in the brand replicas; here are the attempts and retry times of each owed message,
    /// and how far the worker has read each brand's journal (a version vector, as JSON).
    static func outbox(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE outbox (
                brand TEXT NOT NULL, message TEXT NOT NULL, conversation TEXT NOT NULL,
                enqueued INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL,
                last_error TEXT, finished INTEGER,
                PRIMARY KEY (brand, message)) WITHOUT ROWID;
            CREATE INDEX outbox_due ON outbox (next_attempt) WHERE finished IS NULL;
            CREATE TABLE outbox_scan (brand TEXT PRIMARY KEY, scanned TEXT NOT NULL) WITHOUT ROWID;
            """)
    }
}
