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
        return migrator
    }
}
