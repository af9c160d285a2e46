public import Logging
import PostgresNIO
public import SyncServer

/// A running pool of connections to the server's PostgreSQL database, with its schema migrated:
/// what every PostgreSQL store of this module works through. ``open(_:logger:)`` starts the pool
/// (postgres-nio's `PostgresClient`), waits until the database answers and brings the schema up
/// to date (``PostgresSchema``); ``close()`` ends it. Database failures come out as the server's
/// `storage_error` (retry later), with PostgreSQL's own message but never the connection string.
public final class ServerDatabase: Sendable {
    /// Where it connects, password hidden.
    public let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    private init(url: PostgresURL, client: PostgresClient, logger: Logger, running: Task<Void, Never>) {
        self.url = url
        self.client = client
        self.logger = logger
        self.running = running
    }

    /// Connects and migrates. Fails with `storage_error` when the database cannot be reached (after
    /// the connection timeout) or refuses the schema.
    public static func open(_ url: PostgresURL, logger: Logger = Logger(label: "outpost.postgres"))
        async throws(ServerError) -> ServerDatabase {
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        // Give the pool a moment to start before the first lease (it warns otherwise; it would wait).
        await Task.yield()
        let database = ServerDatabase(url: url, client: client, logger: logger, running: running)
        do {
            try await PostgresSchema.migrate(database)
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// Closes every connection; calls after this fail.
    public func close() async {
        running.cancel()
        _ = await running.value
    }

    /// How long one call may wait for the database (a connection, its queries, the commit) before
    /// it fails with `storage_error`: a database that went away must not hold a request for ever.
    static let deadline: Duration = .seconds(10)

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(ServerError) -> T {
        let client = client, logger = logger
        return try await Self.withDeadline { try await client.withTransaction(logger: logger) { try await body($0) } }
    }

    /// Runs `body` with a connection, outside any explicit transaction.
    @discardableResult
    func connection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(ServerError) -> T {
        let client = client
        return try await Self.withDeadline { try await client.withConnection { try await body($0) } }
    }

    /// Whether the database answers a query within 2 s: the health check.
    public func check() async throws(ServerError) {
        let client = client, logger = logger
        try await Self.withDeadline(.seconds(2)) {
            try await client.withConnection { connection in
                try await connection.query("SELECT 1", logger: logger)
                return true
            }
        }
    }

    /// `body`, or `storage_error` once ``deadline`` has passed (`body` is cancelled then: a
    /// transaction not yet committed is rolled back).
    @discardableResult
    static func withDeadline<T: Sendable>(_ limit: Duration = deadline,
                                          _ body: @escaping @Sendable () async throws -> T) async throws(ServerError) -> T {
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw ServerError(.storageError, "the database did not answer within \(limit)")
                }
                return value
            }
        } catch {
            throw serverError(error)
        }
    }

    /// A refusal of ours as thrown; a database failure as `storage_error` with what PostgreSQL said.
    static func serverError(_ error: any Error) -> ServerError {
        if let error = error as? ServerError { return error }
        if let error = error as? PostgresTransactionError {
            for inner in [error.closureError, error.beginError, error.commitError].compactMap({ $0 }) {
                return serverError(inner)
            }
            return ServerError(.storageError, "the database transaction failed")
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return ServerError(.storageError, "the database refused: \(message)\(state)")
            }
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return ServerError(.storageError, "the database is unavailable (\(error.code))\(cause)")
        }
        return ServerError(.storageError, "the database failed: \(error)")
    }
}
