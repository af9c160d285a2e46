import Causality
import Foundation
import InboxModel
import PostgresNIO
import Replica
import ServerPostgres
import SyncServer
import Testing

/// Server nodes sharing one brand log in PostgreSQL (``PostgresBrandLog``), each with its own
/// replica of the brand.
@Suite("PostgreSQL brand log", .enabled(if: StoreKind.all.contains(.postgres)))
struct BrandLogTests {
    let acme = BrandID(rawValue: "acme")!

    /// `count` node replicas of brand acme in a temporary folder, each mirroring the log of a
    /// fresh database; closed afterwards.
    func withNodes<T>(_ count: Int, _ body: ([Replica], ServerDatabase, String) async throws -> T) async throws -> T {
        try await TestPostgres.withDatabase { url in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-nodes-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let database = try await ServerDatabase.open(try PostgresURL(url))
            do {
                let identity = ReplicaIdentity(replica: ReplicaID(1), brand: acme, viewer: nil)
                var nodes: [Replica] = []
                for index in 0..<count {
                    nodes.append(try Replica.create(at: "\(folder)/node\(index).sqlite", identity: identity,
                                                    mirror: PostgresBrandLog(database: database, brand: acme)))
                }
                let result = try await body(nodes, database, url)
                await database.close()
                return result
            } catch {
                await database.close()
                throw error
            }
        }
    }

    @Test("what one node writes is in the log and reaches the other; a server op never reuses a dot")
    func twoNodes() async throws {
        try await withNodes(2) { nodes, _, url in
            let (a, b) = (nodes[0], nodes[1])
            let brand = try await onThread { try a.performServerOp(.setBrand(Brand(id: acme, name: "Acme"))) }
            let user = try await onThread {
                try b.performServerOp(.upsertUser(User(id: UserID(rawValue: "dana")!, name: "Dana", email: "dana@acme.example")))
            }
            #expect(brand.dot.counter == 1 && user.dot.counter == 2, "B wrote after the log's op 1, not a second op 1")
            #expect(try await onThread { try a.catchUpWithMirror() } == 1)
            #expect(try a.digest() == b.digest())
            #expect(try a.mirrorPosition() == 2 && b.mirrorPosition() == 2)
            #expect(try await logRows(url) == [1, 2])
        }
    }

    @Test("two nodes writing at once from eight threads: every op once, in one order, the nodes equal")
    func concurrentWrites() async throws {
        try await withNodes(2) { nodes, _, url in
            try await onThread { try nodes[0].performServerOp(.setBrand(Brand(id: acme, name: "Acme"))) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<10 {
                            let user = User(id: UserID(rawValue: "u\(writer)-\(index)")!, name: "User \(writer) \(index)",
                                            email: "u\(writer)-\(index)@acme.example")
                            try await onThread { try nodes[writer % 2].performServerOp(.upsertUser(user)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for node in nodes { try await onThread { try node.catchUpWithMirror() } }
            #expect(try await logRows(url) == Array(1...81), "one op per position, counters 1 to 81 in log order")
            #expect(try nodes[0].digest() == nodes[1].digest())
            #expect(try nodes[0].verify().ok && nodes[1].verify().ok)
        }
    }

    @Test("the log refuses the append: the node's replica is unchanged, and writes go on once it accepts")
    func refusedAppend() async throws {
        try await withNodes(1) { nodes, _, url in
            let node = nodes[0]
            try await onThread { try node.performServerOp(.setBrand(Brand(id: acme, name: "Acme"))) }
            let digest = try node.digest()
            // A row squatting the next position: the append collides with it.
            try await TestPostgres.admin(url) { connection in
                try await connection.query("""
                    INSERT INTO brand_log (brand, position, replica, counter, owner, payload) VALUES ('acme', 2, 99, 1, '', '\\x00')
                    """, logger: TestPostgres.logger)
            }
            let dana = User(id: UserID(rawValue: "dana")!, name: "Dana", email: "dana@acme.example")
            await #expect(throws: (any Error).self) { try await onThread { try node.performServerOp(.upsertUser(dana)) } }
            #expect(try node.digest() == digest && node.mirrorPosition() == 1)
            try await TestPostgres.admin(url) { connection in
                try await connection.query("DELETE FROM brand_log WHERE replica = 99", logger: TestPostgres.logger)
            }
            let op = try await onThread { try node.performServerOp(.upsertUser(dana)) }
            #expect(try op.dot.counter == 2 && node.mirrorPosition() == 2)
            #expect(try await logRows(url) == [1, 2])
        }
    }

    /// The counters of the log's ops in log order (all made by the server replica here).
    private func logRows(_ url: String) async throws -> [Int64] {
        var counters: [Int64] = []
        try await TestPostgres.admin(url) { connection in
            for try await counter in try await connection.query(
                "SELECT counter FROM brand_log WHERE brand = 'acme' ORDER BY position", logger: TestPostgres.logger)
                .decode(Int64.self) {
                counters.append(counter)
            }
        }
        return counters
    }
}

/// Runs blocking replica work on a thread of its own, never on Swift's shared pool (the
/// brand log's calls block until async work on that pool answers).
@discardableResult
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
