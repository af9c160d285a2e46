import Causality
import Foundation
import Logging
import PostgresNIO
import Replica
import ServerPostgres
import SyncServer
import Testing

/// The stores a conformance test runs against: always the embedded SQLite store, and PostgreSQL
/// when `OUTPOST_TEST_POSTGRES_URL` names a server where databases may be created (Tools/test.sh
/// starts a throw-away cluster and sets it). Under CI the PostgreSQL case is always listed, so
/// that a missing cluster fails the suite instead of leaving half of it out.
enum StoreKind: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let maintenanceURL = ProcessInfo.processInfo.environment["OUTPOST_TEST_POSTGRES_URL"]

    static var all: [StoreKind] {
        maintenanceURL != nil || ProcessInfo.processInfo.environment["CI"] != nil ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// A fresh, empty PostgreSQL database for one test, dropped afterwards.
enum TestPostgres {
    static let logger = Logger(label: "outpost.test.postgres")

    /// Creates a database, runs `body` with its URL, drops it (also when `body` throws).
    static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        guard let maintenance = StoreKind.maintenanceURL else {
            Issue.record("OUTPOST_TEST_POSTGRES_URL is not set: run Tools/test.sh, which starts a PostgreSQL cluster")
            throw CancellationError()
        }
        let name = "outpost_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await admin(maintenance) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents(string: maintenance)!
        components.path = "/" + name
        do {
            let result = try await body(components.string!)
            try await drop(name, maintenance)
            return result
        } catch {
            try? await drop(name, maintenance)
            throw error
        }
    }

    private static func drop(_ name: String, _ maintenance: String) async throws {
        try await admin(maintenance) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// One connection to the maintenance database.
    static func admin(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        let parsed = try PostgresURL(url)
        let client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.withConnection { try await body($0) }
        }
    }
}

/// A directory of the given kind, empty, for one test; closed afterwards.
func withDirectory<T>(_ kind: StoreKind, clock: any PhysicalClock = SystemClock(),
                      _ body: (any ServerDirectory) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-directory-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try ServerStore.open(directory: folder, clock: clock)
        return try await body(store.serverDirectory)
    case .postgres:
        return try await TestPostgres.withDatabase { url in
            let database = try await ServerDatabase.open(try PostgresURL(url))
            do {
                let result = try await body(try await PostgresDirectory.open(database, clock: clock))
                await database.close()
                return result
            } catch {
                await database.close()
                throw error
            }
        }
    }
}
