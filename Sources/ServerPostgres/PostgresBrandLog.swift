import Causality
public import InboxModel
import Logging
import NIOCore
import PostgresNIO
public import Replica
import Synchronization
import SyncServer
public import Wire

/// One brand's log of ops in PostgreSQL (`brand_log`, `brand_log_heads`), as a ``JournalMirror``
/// of a server node's replica of the brand: every node that serves the brand keeps its own
/// replica, and every op any of them commits is first appended here, in one order, under the row
/// lock of the brand's head (so the brand's writes are serialised in the database, across nodes).
///
/// Between ``begin(after:)`` and ``commit(_:)`` (or ``abort()``) one pooled connection stays in a
/// transaction holding that lock, served by a task; the calls block their thread (the store
/// pool's) until the task answers. PostgreSQL ends a transaction left idle for 15 s (a node that
/// stopped mid-write) and gives up waiting for the lock after 10 s; either is a `storage_error`
/// the device retries. The commit also notifies channel `outpost_brand_log` with the brand's id,
/// which other nodes listen on.
public final class PostgresBrandLog: JournalMirror {
    public let brand: BrandID
    let database: ServerDatabase
    private let held = Mutex<HeldTransaction?>(nil)
    /// Ops per page of ``read(after:)``.
    static let pageSize = 2_000

    public init(database: ServerDatabase, brand: BrandID) {
        self.database = database
        self.brand = brand
    }

    public func begin(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64) {
        let transaction = HeldTransaction()
        let busy = held.withLock { current -> Bool in
            guard current == nil else { return true }
            current = transaction
            return false
        }
        guard !busy else { throw ServerError(.internal, "brand \(brand): a second transaction on one replica's log") }
        let database = database, brand = brand
        Task { await transaction.run(database: database, brand: brand, after: position) }
        do {
            return try transaction.began.wait()
        } catch {
            held.withLock { $0 = nil }
            throw error
        }
    }

    public func commit(_ ops: [EncodedOp]) throws -> UInt64 {
        guard let transaction = held.withLock({ current -> HeldTransaction? in defer { current = nil }; return current }) else {
            throw ServerError(.internal, "brand \(brand): a commit without a transaction")
        }
        transaction.send(.commit(ops))
        return try transaction.committed.wait()
    }

    public func abort() {
        held.withLock { current -> HeldTransaction? in defer { current = nil }; return current }?.send(.abort)
    }

    public func read(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64) {
        let database = database, brand = brand
        return try BlockingReply.run {
            try await database.connection { connection in
                try await Self.ops(of: brand, after: position, limit: Self.pageSize, connection, database.logger)
            }
        }
    }

    /// The ops after `position`, in log order (at most `limit`), and the position after them.
    static func ops(of brand: BrandID, after position: UInt64, limit: Int?, _ connection: PostgresConnection,
                    _ logger: Logger) async throws -> (ops: [EncodedOp], position: UInt64) {
        let after = Int64(clamping: position)
        let rows = try await connection.query("""
            SELECT position, replica, counter, owner, payload FROM brand_log
            WHERE brand = \(brand.rawValue) AND position > \(after) ORDER BY position LIMIT \(Int64(limit ?? Int(Int64.max)))
            """, logger: logger)
        var ops: [EncodedOp] = []
        var last = position
        for try await (at, replica, counter, owner, payload) in rows.decode((Int64, Int64, Int64, String, ByteBuffer).self) {
            guard at > 0, replica > 0, counter > 0 else { throw ServerError(.storageError, "brand \(brand): a bad row in the log") }
            ops.append(EncodedOp(stored: Array(payload.readableBytesView),
                                 dot: Dot(replica: ReplicaID(UInt64(replica)), counter: UInt64(counter)),
                                 privateOwner: owner.isEmpty ? nil : UserID(rawValue: owner)))
            last = UInt64(at)
        }
        return (ops, last)
    }
}

/// One write transaction of a brand log, held open on one connection by the task that runs it.
final class HeldTransaction: Sendable {
    enum Command: Sendable {
        case commit([EncodedOp])
        case abort
    }

    let began = BlockingReply<(ops: [EncodedOp], position: UInt64)>()
    let committed = BlockingReply<UInt64>()
    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation

    init() {
        (commands, continuation) = AsyncStream.makeStream(of: Command.self, bufferingPolicy: .bufferingNewest(1))
    }

    func send(_ command: Command) {
        continuation.yield(command)
        continuation.finish()
    }

    func run(database: ServerDatabase, brand: BrandID, after position: UInt64) async {
        let logger = database.logger
        do {
            try await database.client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query("SET LOCAL lock_timeout = '10s'", logger: logger)
                    try await connection.query("SET LOCAL idle_in_transaction_session_timeout = '15s'", logger: logger)
                    try await connection.query("""
                        INSERT INTO brand_log_heads (brand, position) VALUES (\(brand.rawValue), 0) ON CONFLICT (brand) DO NOTHING
                        """, logger: logger)
                    var head: Int64 = 0
                    for try await value in try await connection.query(
                        "SELECT position FROM brand_log_heads WHERE brand = \(brand.rawValue) FOR UPDATE", logger: logger)
                        .decode(Int64.self) {
                        head = value
                    }
                    let missing = try await PostgresBrandLog.ops(of: brand, after: position, limit: nil, connection, logger)
                    guard missing.ops.isEmpty || missing.position == UInt64(clamping: head) else {
                        throw ServerError(.storageError, "brand \(brand): the log's head and its last op disagree")
                    }
                    began.set(.success((missing.ops, UInt64(clamping: head))))
                    var iterator = commands.makeAsyncIterator()
                    switch await iterator.next() {
                    case .commit(let ops)?:
                        let position = try await Self.append(ops, brand: brand, head: head, connection, logger)
                        try await connection.query("COMMIT", logger: logger)
                        committed.set(.success(position))
                    case .abort?, nil:
                        try await connection.query("ROLLBACK", logger: logger)
                        committed.set(.failure(ServerError(.storageError, "brand \(brand): the write was abandoned")))
                    }
                } catch {
                    // A connection that cannot roll back is not given back to the pool in a transaction.
                    do { try await connection.query("ROLLBACK", logger: logger) } catch { try? await connection.close() }
                    throw error
                }
            }
        } catch {
            let failure = ServerDatabase.serverError(error)
            began.set(.failure(failure))
            committed.set(.failure(failure))
        }
    }

    /// Appends `ops` after `head` in one statement, moves the head, notifies the other nodes.
    private static func append(_ ops: [EncodedOp], brand: BrandID, head: Int64, _ connection: PostgresConnection,
                               _ logger: Logger) async throws -> UInt64 {
        guard !ops.isEmpty else { return UInt64(clamping: head) }
        let positions = (1...ops.count).map { head + Int64($0) }
        let replicas = ops.map { Int64(clamping: $0.dot.replica.rawValue) }
        let counters = ops.map { Int64(clamping: $0.dot.counter) }
        let owners = ops.map { $0.privateOwner?.rawValue ?? "" }
        let payloads = ops.map { ByteBuffer(bytes: $0.bytes) }
        let end = head + Int64(ops.count)
        try await connection.query("""
            INSERT INTO brand_log (brand, position, replica, counter, owner, payload)
            SELECT \(brand.rawValue), * FROM UNNEST(\(positions)::BIGINT[], \(replicas)::BIGINT[], \(counters)::BIGINT[],
                                                    \(owners)::TEXT[], \(payloads)::BYTEA[])
            """, logger: logger)
        try await connection.query("UPDATE brand_log_heads SET position = \(end) WHERE brand = \(brand.rawValue)", logger: logger)
        try await connection.query("SELECT pg_notify('outpost_brand_log', \(brand.rawValue))", logger: logger)
        return UInt64(clamping: end)
    }
}
