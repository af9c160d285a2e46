import Causality
import Foundation
import GRDB
import InboxModel

/// One message owed a delivery, with its retry bookkeeping (`outbox` in `server.sqlite`).
struct OutboxEntry: Hashable, Sendable {
    let brand: BrandID
    let message: MessageID
    let conversation: ConversationID
    /// Attempts started so far (counted before each attempt, so that one the server died in counts).
    let attempts: Int
    let lastError: String?
}

/// The outbox's bookkeeping in `server.sqlite`. The brand replica says what is owed (a brand
/// user's message without a final `setDelivery`); these rows say when to try next.
extension ServerStore {
    /// How far the delivery worker has read the brand replica's journal.
    func outboxScanned(_ brand: BrandID) throws(ServerError) -> VersionVector {
        try outboxCall {
            try pool.read { db in
                guard let text = try String.fetchOne(db, sql: "SELECT scanned FROM outbox_scan WHERE brand = ?",
                                                     arguments: [brand.rawValue]) else { return VersionVector() }
                return try JSONDecoder().decode(VersionVector.self, from: Data(text.utf8))
            }
        }
    }

    /// Records one page of the scan in one transaction: the messages found owed (a message already
    /// here stays as it is), the messages whose delivery became final, and the new scan position.
    func recordOutboxScan(brand: BrandID, owed: [(MessageID, ConversationID)], finished: Set<MessageID>,
                          scanned: VersionVector, now: UInt64) throws(ServerError) {
        let position = String(decoding: try outboxCall { try JSONEncoder().encode(scanned) }, as: UTF8.self)
        try outboxCall {
            try pool.write { db in
                for (message, conversation) in owed {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO outbox (brand, message, conversation, enqueued, next_attempt)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [brand.rawValue, message.description, conversation.description, Int64(clamping: now),
                                         Int64(clamping: now)])
                }
                for message in finished {
                    try db.execute(sql: """
                        UPDATE outbox SET finished = ? WHERE brand = ? AND message = ? AND finished IS NULL
                        """, arguments: [Int64(clamping: now), brand.rawValue, message.description])
                }
                try db.execute(sql: "INSERT OR REPLACE INTO outbox_scan (brand, scanned) VALUES (?, ?)",
                               arguments: [brand.rawValue, position])
            }
        }
    }

    /// Owed messages whose next attempt is due at `now`, earliest first.
    func dueDeliveries(now: UInt64, limit: Int) throws(ServerError) -> [OutboxEntry] {
        try outboxCall {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT brand, message, conversation, attempts, last_error FROM outbox
                    WHERE finished IS NULL AND next_attempt <= ? ORDER BY next_attempt, enqueued LIMIT ?
                    """, arguments: [Int64(clamping: now), limit]).compactMap { row in
                    guard let brand = BrandID(rawValue: row[0]), let message = MessageID(text: row[1] as String),
                          let conversation = ConversationID(text: row[2] as String) else { return nil }
                    return OutboxEntry(brand: brand, message: message, conversation: conversation, attempts: row[3],
                                       lastError: row[4])
                }
            }
        }
    }

    /// The number of messages still owed a delivery.
    func owedDeliveries() throws(ServerError) -> Int {
        try outboxCall { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE finished IS NULL") ?? 0 } }
    }

    /// Counts an attempt as started; returns its number (1 for the first).
    func beginDeliveryAttempt(_ entry: OutboxEntry) throws(ServerError) -> Int {
        try outboxCall {
            try pool.write { db in
                try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1 WHERE brand = ? AND message = ?",
                               arguments: [entry.brand.rawValue, entry.message.description])
                return try Int.fetchOne(db, sql: "SELECT attempts FROM outbox WHERE brand = ? AND message = ?",
                                        arguments: [entry.brand.rawValue, entry.message.description]) ?? 1
            }
        }
    }

    /// Schedules the next attempt at `time`, keeping why this one failed.
    func retryDelivery(_ entry: OutboxEntry, at time: UInt64, error: String) throws(ServerError) {
        try outboxCall {
            try pool.write { db in
                try db.execute(sql: "UPDATE outbox SET next_attempt = ?, last_error = ? WHERE brand = ? AND message = ?",
                               arguments: [Int64(clamping: time), error, entry.brand.rawValue, entry.message.description])
            }
        }
    }

    /// The message's delivery state is final (`sent` or `failed`) in the brand replica.
    func finishDelivery(_ entry: OutboxEntry, now: UInt64) throws(ServerError) {
        try outboxCall {
            try pool.write { db in
                try db.execute(sql: "UPDATE outbox SET finished = ? WHERE brand = ? AND message = ?",
                               arguments: [Int64(clamping: now), entry.brand.rawValue, entry.message.description])
            }
        }
    }

    /// The brand's display name, as `admin brand add` gave it.
    func brandName(_ brand: BrandID) throws(ServerError) -> String {
        try outboxCall {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT name FROM brands WHERE id = ?", arguments: [brand.rawValue])
            }
        } ?? brand.rawValue
    }

    private func outboxCall<T>(_ body: () throws -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch {
            throw ServerError.storage(error)
        }
    }
}
