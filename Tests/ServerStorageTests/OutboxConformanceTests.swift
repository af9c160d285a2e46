import Causality
import Foundation
import InboxModel
import ServerPostgres
import SyncServer
import Testing

/// What every ``DeliveryOutbox`` does, against each store (``StoreKind``).
@Suite("Delivery outbox conformance")
struct OutboxConformanceTests {
    let acme = BrandID(rawValue: "acme")!
    let conversation = ConversationID(Dot(replica: ReplicaID(1), counter: 5))

    func message(_ counter: UInt64) -> MessageID { MessageID(Dot(replica: ReplicaID(2), counter: counter)) }

    func withOutbox<T>(_ kind: StoreKind, _ body: (any DeliveryOutbox) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-outbox-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            return try await body(try ServerStore.open(directory: folder).embeddedOutbox)
        case .postgres:
            return try await TestPostgres.withDatabase { url in
                let database = try await ServerDatabase.open(try PostgresURL(url))
                do {
                    let result = try await body(PostgresOutbox(database: database))
                    await database.close()
                    return result
                } catch {
                    await database.close()
                    throw error
                }
            }
        }
    }

    @Test("a claim keeps a message from other workers until it is given up or its lease runs out", arguments: StoreKind.all)
    func claims(kind: StoreKind) async throws {
        try await withOutbox(kind) { outbox in
            try await outbox.record(brand: acme, owed: [(message(1), conversation)], finished: [], now: 1_000)
            try await outbox.record(brand: acme, owed: [(message(1), conversation)], finished: [], now: 1_500)
            #expect(try await outbox.owedCount() == 1, "recorded once")
            let first = try await outbox.claimDue(now: 2_000, limit: 10, claimant: "node-a", leaseMs: 60_000)
            #expect(first.map(\.message) == [message(1)] && first.first?.attempts == 0)
            #expect(try await outbox.claimDue(now: 2_000, limit: 10, claimant: "node-b", leaseMs: 60_000).isEmpty)
            #expect(try await outbox.beginAttempt(first[0]) == 1)
            // Node A dies mid-attempt: once its lease has run out, B takes the message, attempt counted.
            #expect(try await outbox.claimDue(now: 61_999, limit: 10, claimant: "node-b", leaseMs: 60_000).isEmpty)
            let taken = try await outbox.claimDue(now: 62_000, limit: 10, claimant: "node-b", leaseMs: 60_000)
            #expect(taken.map(\.message) == [message(1)] && taken.first?.attempts == 1)
            // B's attempt fails: not due until its time, and then anyone's.
            try await outbox.retry(taken[0], at: 70_000, error: "relay busy")
            #expect(try await outbox.claimDue(now: 69_999, limit: 10, claimant: "node-a", leaseMs: 60_000).isEmpty)
            let again = try await outbox.claimDue(now: 70_000, limit: 10, claimant: "node-a", leaseMs: 60_000)
            #expect(again.first?.lastError == "relay busy" && again.first?.attempts == 1)
            try await outbox.finish(again[0], now: 71_000)
            #expect(try await outbox.owedCount() == 0)
            #expect(try await outbox.claimDue(now: 999_999, limit: 10, claimant: "node-b", leaseMs: 60_000).isEmpty)
        }
    }

    @Test("due messages come earliest first; a finished scan finding ends an owed message", arguments: StoreKind.all)
    func order(kind: StoreKind) async throws {
        try await withOutbox(kind) { outbox in
            try await outbox.record(brand: acme, owed: [(message(3), conversation)], finished: [], now: 3_000)
            try await outbox.record(brand: acme, owed: [(message(1), conversation), (message(2), conversation)], finished: [],
                                    now: 1_000)
            try await outbox.record(brand: acme, owed: [], finished: [message(2)], now: 4_000)
            let due = try await outbox.claimDue(now: 5_000, limit: 10, claimant: "node-a", leaseMs: 60_000)
            #expect(due.map(\.message) == [message(1), message(3)])
            #expect(try await outbox.owedCount() == 2)
            let limited = try await outbox.claimDue(now: 5_000, limit: 1, claimant: "node-a", leaseMs: 60_000)
            #expect(limited.map(\.message) == [message(1)], "a claimant sees its own claims again")
        }
    }

    @Test("eight workers claiming at once: every due message goes to exactly one", arguments: StoreKind.all)
    func concurrentClaims(kind: StoreKind) async throws {
        try await withOutbox(kind) { outbox in
            try await outbox.record(brand: acme, owed: (1...40).map { (message(UInt64($0)), conversation) }, finished: [], now: 1_000)
            let claimed = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        // Each worker finishes what it claimed (as a delivery does) before claiming more.
                        var mine: [MessageID] = []
                        while true {
                            let batch = try await outbox.claimDue(now: 2_000, limit: 3, claimant: "worker-\(worker)", leaseMs: 60_000)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.message)
                            for entry in batch { try await outbox.finish(entry, now: 2_000) }
                        }
                    }
                }
                return try await group.reduce(into: [MessageID]()) { $0 += $1 }
            }
            #expect(claimed.count == 40 && Set(claimed).count == 40)
        }
    }
}
