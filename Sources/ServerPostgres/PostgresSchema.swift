import Logging
import PostgresNIO
import SyncServer

/// The versioned schema of the server's PostgreSQL database (Protocol/SERVER_API.md, "Running on
/// PostgreSQL"). Never edit a migration; add the next one. Every node migrates at start, each
/// migration in its own transaction under one advisory lock, so nodes starting together apply
/// each migration once; a database migrated by a newer Outpost (a version this one does not know)
/// is refused rather than used.
enum PostgresSchema {
    /// The advisory lock key of migrations: "outpost" in ASCII.
    static let lockKey: Int64 = 0x6F_75_74_70_6F_73_74

    static let migrations: [(version: String, sql: [String])] = [
        ("v1-directory", [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO meta (key, value) VALUES ('server_replica', '1')",
            "CREATE TABLE brands (id TEXT PRIMARY KEY, name TEXT NOT NULL, created BIGINT NOT NULL)",
            """
            CREATE TABLE users (
                brand TEXT NOT NULL REFERENCES brands (id), id TEXT NOT NULL,
                name TEXT NOT NULL, email TEXT NOT NULL, PRIMARY KEY (brand, id))
            """,
            // Device ids: small, never 1 (the server's own), never reused; a rolled-back
            // enrollment leaves a gap, which is harmless.
            "CREATE SEQUENCE device_ids AS BIGINT MINVALUE 2 START 2",
            """
            CREATE TABLE devices (
                replica BIGINT PRIMARY KEY, brand TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL,
                created BIGINT NOT NULL, revoked BIGINT, token_hash BYTEA NOT NULL UNIQUE,
                FOREIGN KEY (brand, user_id) REFERENCES users (brand, id))
            """,
            "CREATE INDEX devices_brand ON devices (brand)",
            """
            CREATE TABLE enrollment_codes (
                hash BYTEA PRIMARY KEY, brand TEXT NOT NULL, user_id TEXT NOT NULL,
                created BIGINT NOT NULL, expires BIGINT NOT NULL, used BIGINT, device BIGINT)
            """,
        ]),
        ("v2-api-tokens", [
            """
            CREATE TABLE partner_tokens (
                token_hash BYTEA PRIMARY KEY, brand TEXT NOT NULL REFERENCES brands (id), partner TEXT NOT NULL,
                name TEXT NOT NULL, created BIGINT NOT NULL, revoked BIGINT)
            """,
            "CREATE INDEX partner_tokens_partner ON partner_tokens (brand, partner)",
            // `id` orders tokens made in the same millisecond as they were made.
            """
            CREATE TABLE admin_tokens (
                id BIGSERIAL UNIQUE, token_hash BYTEA PRIMARY KEY, name TEXT NOT NULL,
                brand TEXT REFERENCES brands (id), created BIGINT NOT NULL, revoked BIGINT)
            """,
        ]),
        // The brand logs: every op of a brand in one order (PostgresBrandLog), and each brand's
        // head, whose row lock serialises the brand's writes across nodes.
        ("v3-brand-log", [
            "CREATE TABLE brand_log_heads (brand TEXT PRIMARY KEY, position BIGINT NOT NULL)",
            """
            CREATE TABLE brand_log (
                brand TEXT NOT NULL, position BIGINT NOT NULL, replica BIGINT NOT NULL, counter BIGINT NOT NULL,
                owner TEXT NOT NULL, payload BYTEA NOT NULL,
                PRIMARY KEY (brand, position), UNIQUE (brand, replica, counter))
            """,
        ]),
        // The delivery outbox every node's worker shares (PostgresOutbox).
        ("v4-outbox", [
            """
            CREATE TABLE outbox (
                brand TEXT NOT NULL, message TEXT NOT NULL, conversation TEXT NOT NULL,
                enqueued BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt BIGINT NOT NULL,
                last_error TEXT, finished BIGINT, claimant TEXT, claimed_until BIGINT,
                PRIMARY KEY (brand, message))
            """,
            "CREATE INDEX outbox_due ON outbox (next_attempt, enqueued) WHERE finished IS NULL",
        ]),
    ]

    static func migrate(_ database: ServerDatabase) async throws(ServerError) {
        let logger = database.logger
        // Under the lock too: two nodes creating the table at once would collide in the catalog.
        try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
        }
        for (version, statements) in migrations {
            try await database.transaction { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                let applied = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(version)", logger: logger)
                for try await _ in applied { return }
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(version))", logger: logger)
                logger.info("migrated the PostgreSQL schema", metadata: ["version": "\(version)"])
            }
        }
        let known = Set(migrations.map(\.version))
        let newer = try await database.connection { connection in
            var newer: [String] = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(String.self) where !known.contains(version) {
                newer.append(version)
            }
            return newer
        }
        guard newer.isEmpty else {
            throw ServerError(.storageError,
                              "the database has schema versions this Outpost does not know (\(newer.sorted().joined(separator: ", "))): it was migrated by a newer one")
        }
    }
}
