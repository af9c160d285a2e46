public import InboxModel

/// The delivery worker's shared bookkeeping: which brand users' messages are owed a delivery,
/// their attempts and next attempt times, and who is attempting one now (Protocol/SERVER_API.md,
/// "Reply delivery"). The brand log says what is owed; this says when to try and who tries. One of
/// the server's storage protocols (ARCHITECTURE.md, "Server storage"): embedded, the `outbox`
/// table of `server.sqlite` (``ServerStore/embeddedOutbox``); on PostgreSQL, `PostgresOutbox`,
/// where the workers of several nodes claim due messages with a lease, so that one node attempts
/// each message at a time and another takes over once a dead node's lease runs out.
public protocol DeliveryOutbox: Sendable {
    /// Records a scan's findings: messages owed (a message already recorded stays as it is) and
    /// messages whose delivery became final.
    func record(brand: BrandID, owed: [(MessageID, ConversationID)], finished: Set<MessageID>, now: UInt64)
        async throws(ServerError)

    /// Up to `limit` owed messages due at `now`, earliest first, claimed by `claimant` until
    /// `now + leaseMs` (a message claimed by another whose lease has not run out is not due).
    func claimDue(now: UInt64, limit: Int, claimant: String, leaseMs: UInt64) async throws(ServerError) -> [OutboxEntry]

    /// How many messages are still owed.
    func owedCount() async throws(ServerError) -> Int

    /// Counts an attempt as started; returns its number (1 for the first).
    func beginAttempt(_ entry: OutboxEntry) async throws(ServerError) -> Int

    /// Schedules the next attempt at `time`, keeping why this one failed, and gives up the claim.
    func retry(_ entry: OutboxEntry, at time: UInt64, error: String) async throws(ServerError)

    /// The message's delivery is final (its `setDelivery` is in the brand log).
    func finish(_ entry: OutboxEntry, now: UInt64) async throws(ServerError)
}
