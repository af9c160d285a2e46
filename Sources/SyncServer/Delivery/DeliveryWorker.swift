import NIOPosix
import SyncEngine
import Causality
import Foundation
import InboxModel
import Logging
import Replica
import ServiceLifecycle

/// Delivers brand users' messages to partners' email addresses and reports each message's state
/// back to the devices as `setDelivery` ops of the brand replica (Protocol/SERVER_API.md, "Reply
/// delivery"). A service of ``OutpostServer/application(host:port:logger:)``.
///
/// A round: read every brand replica's journal past the last position read
/// (``ServerStore/outboxScanned(_:)``) and note each brand user's message in a direct or inquiry
/// conversation as owed; then deliver every owed message that is due, one at a time. It runs when
/// a brand replica commits in this process (``BrandHub/watch(_:)``) and every
/// ``DeliveryConfiguration/interval``.
struct DeliveryWorker: Service {
    let store: ServerStore
    let hub: BrandHub
    let configuration: DeliveryConfiguration
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        let (wakeups, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watch = hub.watch(continuation)
        defer { hub.unwatch(watch) }
        let stopping = OnceFlag()
        let interval = configuration.interval
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { continuation.yield() }
                }
                continuation.yield()
                for await _ in wakeups {
                    if stopping.isSet { break }
                    await round(stopping: stopping)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            // The delivery in hand is finished (a cut-off SMTP dialogue could leave a copy at the
            // relay that the server does not know of); no new one starts.
            stopping.set()
            continuation.finish()
        }
    }

    /// Scans every brand, then delivers what is due; returns what became of each message tried.
    /// Store work waits on the store pool, never on Swift's shared pool.
    @discardableResult
    func round(stopping: OnceFlag) async -> [DeliveryReport] {
        var reports: [DeliveryReport] = []
        do {
            try await NIOThreadPool.onStore { [self] in
                for brand in try store.brands() { try scan(brand) }
            }
        } catch {
            logger.error("outbox scan failed", metadata: ["error": "\(error)"])
        }
        let now = store.clock.nowMilliseconds()
        var tried = Set<OutboxEntry>()
        while !stopping.isSet {
            let due: [OutboxEntry]
            do {
                due = try await NIOThreadPool.onStore { [store] in try store.dueDeliveries(now: now, limit: 32) }
                    .filter { !tried.contains($0) }
            } catch {
                logger.error("outbox read failed", metadata: ["error": "\(error)"])
                break
            }
            if due.isEmpty { break }
            for entry in due where !stopping.isSet {
                tried.insert(entry)
                if let report = await deliver(entry) { reports.append(report) }
            }
        }
        do {
            let owed = try await NIOThreadPool.onStore { [store] in try store.owedDeliveries() }
            metrics.update { $0.deliveriesOwed = owed }
        } catch {
            logger.error("cannot count owed deliveries", metadata: ["error": "\(error)"])
        }
        return reports
    }

    /// Reads the brand replica's journal past the last scan, page by page; each page's findings
    /// and the new position are one transaction of `server.sqlite`. Blocks: call it on the store pool.
    func scan(_ brand: BrandID) throws {
        let replica = try store.brandReplica(brand)
        var scanned = try store.outboxScanned(brand)
        guard try !scanned.includes(replica.versionVector()) else { return }
        var more = true
        while more {
            let page = try replica.ops(missingFrom: scanned, limit: 1_000)
            more = page.more
            var owed: [(MessageID, ConversationID)] = []
            var finished = Set<MessageID>()
            for op in page.ops {
                scanned.advance(op.dot)
                switch op.body {
                case .startConversation(let start) where op.actor.user != nil && start.kind != .system:
                    owed.append((MessageID(op.dot), ConversationID(op.dot)))
                case .postMessage(let post) where op.actor.user != nil:
                    owed.append((MessageID(op.dot), post.conversation))
                case .setDelivery(let delivery) where delivery.state == .sent || delivery.state == .failed:
                    finished.insert(delivery.message)
                default:
                    break
                }
            }
            owed.removeAll { finished.contains($0.0) }
            try store.recordOutboxScan(brand: brand, owed: owed, finished: finished, scanned: scanned,
                                       now: store.clock.nowMilliseconds())
            if page.ops.isEmpty { break }
        }
    }

    /// What the store says of an owed message before an attempt.
    private enum Preparation: Sendable {
        /// Nothing to send: the outcome is already decided (`nil`: nothing was owed).
        case settled(DeliveryReport.Outcome?)
        /// Send this mail; this is attempt number `attempt`.
        case send(OutboundMail, attempt: Int)
    }

    /// One attempt at one owed message, and its outcome recorded: the brand replica first (the
    /// truth devices see), then the bookkeeping. Returns what became of it (`nil`: nothing was
    /// owed, or the bookkeeping failed). The store work before and after the hand-over waits on
    /// the store pool; only the transport's own I/O runs here.
    @discardableResult
    func deliver(_ entry: OutboxEntry) async -> DeliveryReport? {
        let metadata: Logger.Metadata = ["brand": "\(entry.brand)", "message": "\(entry.message)"]
        func report(_ outcome: DeliveryReport.Outcome) -> DeliveryReport {
            DeliveryReport(brand: entry.brand, message: entry.message, conversation: entry.conversation, outcome: outcome)
        }
        do {
            let (mail, attempt): (OutboundMail, Int)
            switch try await NIOThreadPool.onStore({ [self] in try prepare(entry, metadata: metadata) }) {
            case .settled(let outcome):
                return outcome.map(report)
            case .send(let ready, let number):
                (mail, attempt) = (ready, number)
            }
            let outcome: MailFailure?
            do throws(MailFailure) {
                try await configuration.transport.send(mail) { [self] in
                    try await NIOThreadPool.onStore {
                        try commit(entry.brand, SetDelivery(message: entry.message, state: .sent))
                    }
                }
                outcome = nil
            } catch {
                outcome = error
            }
            return report(try await NIOThreadPool.onStore { [self] in
                try settle(entry, outcome, mail: mail, attempt: attempt, metadata: metadata)
            })
        } catch {
            // The bookkeeping itself failed (storage): try again after the usual wait.
            logger.error("delivery failed to record", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            let next = store.clock.nowMilliseconds() + Self.milliseconds(configuration.retryDelay(afterAttempt: 1))
            // Logged above; if even this fails, the entry stays due and the next round tries it again.
            _ = try? await NIOThreadPool.onStore { [store] in
                try store.retryDelivery(entry, at: next, error: "\(error)")
            }
            return nil
        }
    }

    /// Before an attempt: the thread as the brand replica has it decides whether the message is
    /// still owed and what mail it makes; a message past its attempts fails; else the attempt is
    /// counted. Blocks: runs on the store pool.
    private func prepare(_ entry: OutboxEntry, metadata: Logger.Metadata) throws -> Preparation {
        let replica = try store.brandReplica(entry.brand)
        let thread = try replica.thread(entry.conversation, markRead: false)
        // Only the sender's display name: a brand whose name cannot be read is named by its id.
        let brandName = (try? store.brandName(entry.brand)) ?? entry.brand.rawValue
        let mail: OutboundMail
        let repliedTo = try replica.repliedTo(entry.message, in: thread)
        switch DeliveryDecision.decide(thread: thread, message: entry.message, repliedTo: repliedTo, brand: entry.brand,
                                       brandName: brandName, from: configuration.from) {
        case .notOwed:
            logger.error("owed message is not a brand user's message", metadata: metadata)
            try store.finishDelivery(entry, now: store.clock.nowMilliseconds())
            return .settled(nil)
        case .finished:
            // Recorded in the brand replica before the server stopped; only the bookkeeping lagged.
            try store.finishDelivery(entry, now: store.clock.nowMilliseconds())
            return .settled(nil)
        case .fail(let reason):
            try fail(entry, reason)
            return .settled(.failed(reason: reason))
        case .send(let ready):
            mail = ready
        }
        if entry.attempts >= configuration.maxAttempts {
            let last = entry.lastError ?? "the server stopped during the attempt"
            let reason = "gave up after \(entry.attempts) attempts: \(last)"
            try fail(entry, reason)
            return .settled(.failed(reason: reason))
        }
        return .send(mail, attempt: try store.beginDeliveryAttempt(entry))
    }

    /// After an attempt: its outcome recorded. Blocks: runs on the store pool.
    private func settle(_ entry: OutboxEntry, _ outcome: MailFailure?, mail: OutboundMail, attempt: Int,
                        metadata: Logger.Metadata) throws -> DeliveryReport.Outcome {
        switch outcome {
        case nil:
            try store.finishDelivery(entry, now: store.clock.nowMilliseconds())
            metrics.update { $0.deliveriesSent += 1 }
            logger.info("delivered", metadata: metadata.merging(["messageID": "\(mail.messageID)",
                                                                 "attempt": "\(attempt)"]) { $1 })
            return .sent(mail: mail, attempt: attempt)
        case .permanent(let reason)?:
            try fail(entry, reason)
            return .failed(reason: reason)
        case .transient(let reason)?:
            return try retry(entry, attempt: attempt, reason: reason)
        }
    }

    private func retry(_ entry: OutboxEntry, attempt: Int, reason: String) throws -> DeliveryReport.Outcome {
        guard attempt < configuration.maxAttempts else {
            let final = "gave up after \(attempt) attempts: \(reason)"
            try fail(entry, final)
            return .failed(reason: final)
        }
        let delay = configuration.retryDelay(afterAttempt: attempt)
        try store.retryDelivery(entry, at: store.clock.nowMilliseconds() + Self.milliseconds(delay), error: reason)
        let shown = "attempt \(attempt) of \(configuration.maxAttempts) failed: \(reason); trying again in \(Self.text(delay))"
        try commit(entry.brand, SetDelivery(message: entry.message, state: .queued, reason: shown))
        metrics.update { $0.deliveryRetries += 1 }
        logger.notice("delivery attempt failed", metadata: [
            "brand": "\(entry.brand)", "message": "\(entry.message)", "attempt": "\(attempt)", "reason": "\(reason)"])
        return .retrying(reason: shown, attempt: attempt)
    }

    private func fail(_ entry: OutboxEntry, _ reason: String) throws {
        try commit(entry.brand, SetDelivery(message: entry.message, state: .failed, reason: reason))
        try store.finishDelivery(entry, now: store.clock.nowMilliseconds())
        metrics.update { $0.deliveriesFailed += 1 }
        logger.notice("delivery failed", metadata: ["brand": "\(entry.brand)", "message": "\(entry.message)",
                                                    "reason": "\(reason)"])
    }

    /// A `setDelivery` op of the brand replica, committed in one write transaction as device
    /// batches are, and pushed to the brand's connected devices at once.
    private func commit(_ brand: BrandID, _ delivery: SetDelivery) throws {
        let replica = try store.brandReplica(brand)
        _ = try replica.performServerOp(.setDelivery(delivery))
        hub.changed(brand)
    }

    static func milliseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000_000)
    }

    /// `45 s`, `3 min`, `1 h`: for people.
    static func text(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms < 10_000 { return String(format: "%.1f s", Double(ms) / 1_000) }
        if ms < 120_000 { return "\(ms / 1_000) s" }
        if ms < 7_200_000 { return "\(ms / 60_000) min" }
        return "\(ms / 3_600_000) h"
    }
}
