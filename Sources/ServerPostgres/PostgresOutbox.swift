import Causality
public import InboxModel
import PostgresNIO
public import SyncServer

/// The ``DeliveryOutbox`` on PostgreSQL (`outbox` of ``PostgresSchema``'s `v4-outbox`), shared by
/// the delivery workers of every node: a worker claims due messages with `FOR UPDATE SKIP LOCKED`
/// (two workers never get the same one) and a lease; an attempt ends by scheduling the next one
/// or finishing, either of which gives the claim up. A node that dies mid-attempt keeps its claims
/// until their lease runs out; then another node's worker takes them, and the brand log tells it
/// whether the dead node's attempt got as far as the relay's acceptance.
public struct PostgresOutbox: DeliveryOutbox {
    let database: ServerDatabase

    public init(database: ServerDatabase) { self.database = database }

    public func record(brand: BrandID, owed: [(MessageID, ConversationID)], finished: Set<MessageID>, now: UInt64)
        async throws(ServerError) {
        guard !owed.isEmpty || !finished.isEmpty else { return }
        let messages = owed.map(\.0.description), conversations = owed.map(\.1.description)
        let done = finished.map(\.description)
        let time = Int64(clamping: now)
        let logger = database.logger
        try await database.transaction { connection in
            if !messages.isEmpty {
                try await connection.query("""
                    INSERT INTO outbox (brand, message, conversation, enqueued, next_attempt)
                    SELECT \(brand.rawValue), message, conversation, \(time), \(time)
                    FROM UNNEST(\(messages)::TEXT[], \(conversations)::TEXT[]) AS owed (message, conversation)
                    ON CONFLICT (brand, message) DO NOTHING
                    """, logger: logger)
            }
            if !done.isEmpty {
                try await connection.query("""
                    UPDATE outbox SET finished = \(time), claimant = NULL, claimed_until = NULL
                    WHERE brand = \(brand.rawValue) AND message = ANY(\(done)::TEXT[]) AND finished IS NULL
                    """, logger: logger)
            }
        }
    }

    public func claimDue(now: UInt64, limit: Int, claimant: String, leaseMs: UInt64) async throws(ServerError) -> [OutboxEntry] {
        let time = Int64(clamping: now), until = Int64(clamping: now &+ leaseMs), count = Int64(max(0, limit))
        let logger = database.logger
        return try await database.transaction { connection in
            var claimed: [(OutboxEntry, Int64, Int64)] = []
            for try await (brand, message, conversation, attempts, lastError, next, enqueued) in try await connection.query("""
                UPDATE outbox SET claimant = \(claimant), claimed_until = \(until)
                WHERE (brand, message) IN (
                    SELECT brand, message FROM outbox
                    WHERE finished IS NULL AND next_attempt <= \(time)
                      AND (claimed_until IS NULL OR claimed_until <= \(time) OR claimant = \(claimant))
                    ORDER BY next_attempt, enqueued LIMIT \(count)
                    FOR UPDATE SKIP LOCKED)
                RETURNING brand, message, conversation, attempts, last_error, next_attempt, enqueued
                """, logger: logger).decode((String, String, String, Int32, String?, Int64, Int64).self) {
                guard let brand = BrandID(rawValue: brand), let message = MessageID(text: message),
                      let conversation = ConversationID(text: conversation) else { continue }
                claimed.append((OutboxEntry(brand: brand, message: message, conversation: conversation,
                                            attempts: Int(attempts), lastError: lastError), next, enqueued))
            }
            return claimed.sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
        }
    }

    public func owedCount() async throws(ServerError) -> Int {
        let logger = database.logger
        return try await database.connection { connection in
            var count: Int64 = 0
            for try await value in try await connection.query("SELECT count(*) FROM outbox WHERE finished IS NULL", logger: logger)
                .decode(Int64.self) {
                count = value
            }
            return Int(count)
        }
    }

    public func beginAttempt(_ entry: OutboxEntry) async throws(ServerError) -> Int {
        let logger = database.logger
        return try await database.connection { connection in
            var attempts: Int32 = 1
            for try await value in try await connection.query("""
                UPDATE outbox SET attempts = attempts + 1 WHERE brand = \(entry.brand.rawValue) AND message = \(entry.message.description)
                RETURNING attempts
                """, logger: logger).decode(Int32.self) {
                attempts = value
            }
            return Int(attempts)
        }
    }

    public func retry(_ entry: OutboxEntry, at time: UInt64, error: String) async throws(ServerError) {
        let next = Int64(clamping: time)
        let logger = database.logger
        try await database.connection { connection in
            try await connection.query("""
                UPDATE outbox SET next_attempt = \(next), last_error = \(error), claimant = NULL, claimed_until = NULL
                WHERE brand = \(entry.brand.rawValue) AND message = \(entry.message.description)
                """, logger: logger)
        }
    }

    public func finish(_ entry: OutboxEntry, now: UInt64) async throws(ServerError) {
        let time = Int64(clamping: now)
        let logger = database.logger
        try await database.connection { connection in
            try await connection.query("""
                UPDATE outbox SET finished = \(time), claimant = NULL, claimed_until = NULL
                WHERE brand = \(entry.brand.rawValue) AND message = \(entry.message.description)
                """, logger: logger)
        }
    }
}
