import Causality
import Foundation
import InboxModel
import PostgresNIO
import Replica
import ServerPostgres
import SyncServer
import Testing

/// How nodes wake each other through PostgreSQL: LISTEN/NOTIFY, no polling.
@Suite("PostgreSQL notifications", .enabled(if: StoreKind.all.contains(.postgres)))
struct NotificationTests {
    @Test("a brand log's commit and a revocation reach a listening node")
    func brandLogAndRevocation() async throws {
        try await TestPostgres.withDatabase { url in
            let database = try await ServerDatabase.open(try PostgresURL(url))
            do {
                try await listen(database, url)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        }
    }

    private func listen(_ database: ServerDatabase, _ url: String) async throws {
        do {  // the streams end with this scope, before the database closes
            var brandLog = database.notifications(on: "outpost_brand_log").makeAsyncIterator()
            var revocations = database.notifications(on: "outpost_revocation").makeAsyncIterator()
            let directory = try await PostgresDirectory.open(database)
            let acme = BrandID(rawValue: "acme")!
            let dana = UserID(rawValue: "dana")!
            try await directory.insertBrand(acme, name: "Acme")
            try await directory.insertUser(brand: acme, id: dana, name: "Dana", email: "dana@acme.example")
            let enrollment = try await directory.enroll(
                code: try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000), deviceName: "phone")

            // Listening starts when a stream is first iterated: wait until a notification sent now
            // arrives, then the real ones.
            try await waitListening(url, "outpost_brand_log", &brandLog)
            try await waitListening(url, "outpost_revocation", &revocations)

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-listen-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let node = try Replica.create(at: folder + "/acme.sqlite", identity: ReplicaIdentity(replica: ReplicaID(1), brand: acme, viewer: nil),
                                          mirror: PostgresBrandLog(database: database, brand: acme))
            try await onThread { try node.performServerOp(.setBrand(Brand(id: acme, name: "Acme"))) }
            #expect(await brandLog.next() == .notified("acme"))

            try await directory.revoke(brand: acme, replica: enrollment.replica)
            #expect(await revocations.next() == .notified(enrollment.replica.description))
        }
    }

    /// Sends probes on `channel` until one comes back through `iterator`.
    private func waitListening(_ url: String, _ channel: String,
                               _ iterator: inout AsyncStream<DatabaseNotification>.Iterator) async throws {
        let probe = "probe-\(UUID().uuidString)"
        let sender = Task {
            for _ in 0..<100 {
                try await TestPostgres.admin(url) { connection in
                    try await connection.query("SELECT pg_notify(\(channel), \(probe))", logger: TestPostgres.logger)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { sender.cancel() }
        while let event = await iterator.next() {
            if event == .notified(probe) { return }
        }
        Issue.record("the listener on \(channel) ended")
    }
}
