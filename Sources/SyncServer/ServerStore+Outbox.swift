import Causality
import Foundation
import GRDB
import NIOPosix
import SyncEngine
public import InboxModel

/// One message owed a delivery, with its retry bookkeeping (``DeliveryOutbox``).
public struct OutboxEntry: Hashable, Sendable {
    public let brand: BrandID
    public let message: MessageID
    public let conversation: ConversationID
    /// Attempts started so far (counted before each attempt, so that one the server died in counts).
    public let attempts: Int
    public let lastError: String?

    public init(brand: BrandID, message: MessageID, conversation: ConversationID, attempts: Int, lastError: String?) {
        self.brand = brand
        self.message = message
        self.conversation = conversation
        self.attempts = attempts
        self.lastError = lastError
    }
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
    ///
    /// With shared storage the findings go to the shared outbox first and the position, this
    /// node's own, is written after them: a crash between costs a rescan, which records nothing twice.
    func recordOutboxScan(brand: BrandID, owed: [(MessageID, ConversationID)], finished: Set<MessageID>,
                          scanned: VersionVector, now: UInt64) throws(ServerError) {
        let position = String(decoding: try outboxCall { try JSONEncoder().encode(scanned) }, as: UTF8.self)
        let shared = shared?.outbox
        if let shared {
            try onOutbox(shared) { outbox throws(ServerError) in
                try await outbox.record(brand: brand, owed: owed, finished: finished, now: now)
            }
        }
        try outboxCall {
            try pool.write { db in
                for (message, conversation) in owed where shared == nil {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO outbox (brand, message, conversation, enqueued, next_attempt)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [brand.rawValue, message.description, conversation.description, Int64(clamping: now),
                                         Int64(clamping: now)])
                }
                for message in finished where shared == nil {
                    try db.execute(sql: """
                        UPDATE outbox SET finished = ? WHERE brand = ? AND message = ? AND finished IS NULL
                        """, arguments: [Int64(clamping: now), brand.rawValue, message.description])
                }
                try db.execute(sql: "INSERT OR REPLACE INTO outbox_scan (brand, scanned) VALUES (?, ?)",
                               arguments: [brand.rawValue, position])
            }
        }
    }

    /// Owed messages whose next attempt is due at `now`, earliest first, claimed by this process
    /// for ``deliveryLeaseMs``.
    func dueDeliveries(now: UInt64, limit: Int) throws(ServerError) -> [OutboxEntry] {
        try claimDue(now: now, limit: limit, claimant: claimant, leaseMs: Self.deliveryLeaseMs)
    }

    /// ``DeliveryOutbox/claimDue(now:limit:claimant:leaseMs:)`` on this store.
    func claimDue(now: UInt64, limit: Int, claimant: String, leaseMs: UInt64) throws(ServerError) -> [OutboxEntry] {
        if let outbox = shared?.outbox {
            return try onOutbox(outbox) { outbox throws(ServerError) in
                try await outbox.claimDue(now: now, limit: limit, claimant: claimant, leaseMs: leaseMs)
            }
        }
        let time = Int64(clamping: now), until = Int64(clamping: now &+ leaseMs)
        return try outboxCall {
            try pool.write { db in
                try Row.fetchAll(db, sql: """
                    UPDATE outbox SET claimant = ?, claimed_until = ?
                    WHERE (brand, message) IN (
                        SELECT brand, message FROM outbox
                        WHERE finished IS NULL AND next_attempt <= ? AND (claimed_until IS NULL OR claimed_until <= ? OR claimant = ?)
                        ORDER BY next_attempt, enqueued LIMIT ?)
                    RETURNING brand, message, conversation, attempts, last_error, next_attempt, enqueued
                    """, arguments: [claimant, until, time, time, claimant, limit])
                    .sorted { ($0[5] as Int64, $0[6] as Int64) < ($1[5] as Int64, $1[6] as Int64) }
                    .compactMap { row in
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
        if let outbox = shared?.outbox { return try onOutbox(outbox) { outbox throws(ServerError) in try await outbox.owedCount() } }
        return try outboxCall { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE finished IS NULL") ?? 0 } }
    }

    /// Counts an attempt as started; returns its number (1 for the first).
    func beginDeliveryAttempt(_ entry: OutboxEntry) throws(ServerError) -> Int {
        if let outbox = shared?.outbox { return try onOutbox(outbox) { outbox throws(ServerError) in try await outbox.beginAttempt(entry) } }
        return try outboxCall {
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
        if let outbox = shared?.outbox { return try onOutbox(outbox) { outbox throws(ServerError) in try await outbox.retry(entry, at: time, error: error) } }
        try outboxCall {
            try pool.write { db in
                try db.execute(sql: """
                    UPDATE outbox SET next_attempt = ?, last_error = ?, claimant = NULL, claimed_until = NULL
                    WHERE brand = ? AND message = ?
                    """,
                               arguments: [Int64(clamping: time), error, entry.brand.rawValue, entry.message.description])
            }
        }
    }

    /// The message's delivery state is final (`sent` or `failed`) in the brand replica.
    func finishDelivery(_ entry: OutboxEntry, now: UInt64) throws(ServerError) {
        if let outbox = shared?.outbox { return try onOutbox(outbox) { outbox throws(ServerError) in try await outbox.finish(entry, now: now) } }
        try outboxCall {
            try pool.write { db in
                try db.execute(sql: """
                    UPDATE outbox SET finished = ?, claimant = NULL, claimed_until = NULL WHERE brand = ? AND message = ?
                    """, arguments: [Int64(clamping: now), entry.brand.rawValue, entry.message.description])
            }
        }
    }

    /// The brand's display name, as `admin brand add` gave it.
    func brandName(_ brand: BrandID) throws(ServerError) -> String {
        if let shared {
            return try onShared(shared) { directory throws(ServerError) in try await directory.brandName(brand) } ?? brand.rawValue
        }
        return try outboxCall {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT name FROM brands WHERE id = ?", arguments: [brand.rawValue])
            }
        } ?? brand.rawValue
    }

    /// The embedded outbox as the ``DeliveryOutbox`` protocol (its calls run on the store pool).
    public var embeddedOutbox: any DeliveryOutbox { EmbeddedOutbox(store: self) }

    /// How long a node's claim on a due message lasts (with shared storage): longer than any one
    /// attempt (the SMTP dialogue's timeouts), so that only a node that died loses it.
    static let deliveryLeaseMs: UInt64 = 5 * 60 * 1_000

    private func onOutbox<T: Sendable>(_ outbox: any DeliveryOutbox,
                                       _ call: @escaping @Sendable (any DeliveryOutbox) async throws(ServerError) -> T) throws(ServerError) -> T {
        try blocking { () async throws(ServerError) in try await call(outbox) }
    }

    private func outboxCall<T>(_ body: () throws -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch {
            throw ServerError.storage(error)
        }
    }
}

/// ``ServerStore``'s own outbox (`server.sqlite`) as a ``DeliveryOutbox``: the synchronous
/// methods the worker calls, each run on the store pool.
private struct EmbeddedOutbox: DeliveryOutbox {
    let store: ServerStore

    func record(brand: BrandID, owed: [(MessageID, ConversationID)], finished: Set<MessageID>, now: UInt64)
        async throws(ServerError) {
        try await run { store in
            // The scan position stays where it is: this records findings only.
            try store.recordOutboxScan(brand: brand, owed: owed, finished: finished, scanned: try store.outboxScanned(brand),
                                       now: now)
        }
    }

    func claimDue(now: UInt64, limit: Int, claimant: String, leaseMs: UInt64) async throws(ServerError) -> [OutboxEntry] {
        try await run { store in try store.claimDue(now: now, limit: limit, claimant: claimant, leaseMs: leaseMs) }
    }

    func owedCount() async throws(ServerError) -> Int { try await run { store in try store.owedDeliveries() } }

    func beginAttempt(_ entry: OutboxEntry) async throws(ServerError) -> Int {
        try await run { store in try store.beginDeliveryAttempt(entry) }
    }

    func retry(_ entry: OutboxEntry, at time: UInt64, error: String) async throws(ServerError) {
        try await run { store in try store.retryDelivery(entry, at: time, error: error) }
    }

    func finish(_ entry: OutboxEntry, now: UInt64) async throws(ServerError) {
        try await run { store in try store.finishDelivery(entry, now: now) }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (ServerStore) throws -> T) async throws(ServerError) -> T {
        let store = store
        do {
            return try await NIOThreadPool.onStore { try body(store) }
        } catch {
            throw (error as? ServerError) ?? ServerError.storage(error)
        }
    }
}
