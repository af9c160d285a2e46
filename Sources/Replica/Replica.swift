public import Causality
import InboxModel
internal import GRDB
import Foundation
import Synchronization

/// A device's (or the server's) copy of the inbox: a SQLite file holding the journal of every op
/// and the inbox state materialised from it.
///
/// Every change goes through one path: an op is checked, written to the journal and applied to
/// the materialised state in the same transaction, whether this replica made it (``reply(to:text:)``,
/// ``markRead(_:)``…) or received it (``apply(_:)``). So the state can always be rebuilt from the
/// journal alone (``verify()``).
///
/// ```swift
/// let replica = try Replica.open(at: "~/.local/share/outpost/replica.sqlite")
/// for row in try replica.inbox(InboxFilter(unreadOnly: true)) { print(row.subject) }
/// ```
public final class Replica: Sendable {
    public let identity: ReplicaIdentity
    /// The file, or `nil` for an in-memory replica.
    public let path: String?
    let writer: any DatabaseWriter
    let clock: any PhysicalClock
    /// Received ops this object applied since the search indexes were last merged
    /// (``mergeSearchIndexIfNeeded()``).
    let unmergedOps = Mutex(0)
    /// The log every op-writing transaction goes through first, if any (``JournalMirror``).
    let mirror: (any JournalMirror)?

    private init(identity: ReplicaIdentity, path: String?, writer: any DatabaseWriter, clock: any PhysicalClock,
                 mirror: (any JournalMirror)? = nil) {
        self.identity = identity
        self.path = path
        self.writer = writer
        self.clock = clock
        self.mirror = mirror
    }

    /// Creates a new replica file at `path`. Fails with `replica_exists` if there is one.
    ///
    /// With `fileMode` (0o600 for a replica that holds a token), the file is created empty with that
    /// mode before SQLite opens it, so it never exists with another; SQLite gives the `-wal` and `-shm`
    /// files it creates the database file's mode.
    public static func create(at path: String, identity: ReplicaIdentity, clock: any PhysicalClock = SystemClock(),
                              fileMode: UInt16? = nil, mirror: (any JournalMirror)? = nil) throws(ReplicaError) -> Replica {
        guard identity.replica.isValid else { throw ReplicaError(.invalidArgument, "invalid replica id") }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.alreadyExists, "a replica already exists at \(path)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ReplicaError(.storage, "cannot create \(directory): \(error.localizedDescription)", underlying: error)
            }
        }
        if let fileMode { try createEmptyFile(path, mode: mode_t(fileMode)) }
        let pool = try ReplicaError.wrap { try DatabasePool(path: path, configuration: configuration()) }
        try migrate(pool)
        try ReplicaError.wrap { try pool.write { db in try storeIdentity(identity, db) } }
        return Replica(identity: identity, path: path, writer: pool, clock: clock, mirror: mirror)
    }

    /// Opens an existing replica file, upgrading its schema if an older Outpost wrote it. With a
    /// `mirror`, every op it commits goes through that log first (``JournalMirror``).
    public static func open(at path: String, clock: any PhysicalClock = SystemClock(),
                            mirror: (any JournalMirror)? = nil) throws(ReplicaError) -> Replica {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.notFound, "no replica at \(path)")
        }
        // Look read-only first: opening a pool switches the file to WAL mode, which must not happen
        // to a file that turns out not to be a replica.
        var probe = configuration()
        probe.readonly = true
        let isReplica = try ReplicaError.wrap {
            let queue = try DatabaseQueue(path: path, configuration: probe)
            defer { try? queue.close() }  // a read-only probe: nothing to lose on close
            return try queue.read { db in try db.tableExists("meta") }
        }
        guard isReplica else { throw ReplicaError(.notAReplica, "\(path) is not an Outpost replica") }
        let pool = try ReplicaError.wrap { try DatabasePool(path: path, configuration: configuration()) }
        try migrate(pool)
        let identity = try ReplicaError.wrap { try pool.read { db in try loadIdentity(db) } }
        return Replica(identity: identity, path: path, writer: pool, clock: clock, mirror: mirror)
    }

    /// A replica that lives in memory only: for tests, the scenario harness and rebuilds.
    public static func inMemory(identity: ReplicaIdentity,
                                clock: any PhysicalClock = SystemClock()) throws(ReplicaError) -> Replica {
        guard identity.replica.isValid else { throw ReplicaError(.invalidArgument, "invalid replica id") }
        let queue = try ReplicaError.wrap { try DatabaseQueue(configuration: configuration()) }
        try migrate(queue)
        try ReplicaError.wrap { try queue.write { db in try storeIdentity(identity, db) } }
        return Replica(identity: identity, path: nil, writer: queue, clock: clock)
    }

    /// The names of the schema migrations applied to this replica, oldest first.
    public func appliedMigrations() throws(ReplicaError) -> [String] {
        try ReplicaError.wrap { try writer.read { db in try ReplicaSchema.migrator.appliedMigrations(db) } }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(3)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            db.add(function: MessageBodyFunction.function)
        }
        return configuration
    }

    private static func migrate(_ writer: any DatabaseWriter) throws(ReplicaError) {
        let migrator = ReplicaSchema.migrator
        let superseded = try ReplicaError.wrap { try writer.read { db in try migrator.hasBeenSuperseded(db) } }
        guard !superseded else {
            throw ReplicaError(.schemaTooNew, "the replica was written by a newer Outpost; upgrade outpost to open it")
        }
        let before = try ReplicaError.wrap { try writer.read { db in try migrator.appliedIdentifiers(db) } }
        try ReplicaError.wrap { try migrator.migrate(writer) }
        let added = migrator.migrations.filter { !before.contains($0) }
        if !before.isEmpty && !added.isEmpty {
            ReplicaLog.logger.notice("upgraded the replica schema", metadata: ["migrations": "\(added)"])
        }
    }

    private static func storeIdentity(_ identity: ReplicaIdentity, _ db: Database) throws {
        let meta: [(String, String)] = [
            ("replica", identity.replica.description),
            ("brand", identity.brand.rawValue),
            ("viewer", identity.viewer?.rawValue ?? ""),
        ]
        for (key, value) in meta {
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    private static func loadIdentity(_ db: Database) throws -> ReplicaIdentity {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta")
        var meta: [String: String] = [:]
        for row in rows { meta[row[0]] = row[1] }
        guard let replica = meta["replica"].flatMap({ ReplicaID(text: $0) }),
              let brand = meta["brand"].flatMap({ BrandID(rawValue: $0) })
        else { throw ReplicaError(.corrupt, "the replica's identity is missing or damaged") }
        let viewer = meta["viewer"].flatMap { $0.isEmpty ? nil : UserID(rawValue: $0) }
        return ReplicaIdentity(replica: replica, brand: brand, viewer: viewer)
    }
}

extension ReplicaError {
    /// Runs `body`, turning SQLite and GRDB errors into replica errors with a stable code.
    static func wrap<T>(_ body: () throws -> T) throws(ReplicaError) -> T {
        do {
            return try body()
        } catch let error as ReplicaError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw ReplicaError(.locked, "the replica is locked by another process; try again", underlying: error)
            case .SQLITE_NOTADB:
                throw ReplicaError(.notAReplica, "the file is not an Outpost replica", underlying: error)
            case .SQLITE_CANTOPEN:
                throw ReplicaError(.notFound, "cannot open the replica: \(error.message ?? "\(error)")", underlying: error)
            case .SQLITE_CORRUPT:
                throw ReplicaError(.corrupt, "the replica file is damaged", underlying: error)
            case .SQLITE_READONLY:
                throw ReplicaError(.storage, "the replica file is read-only", underlying: error)
            case .SQLITE_FULL:
                throw ReplicaError(.storage, "the disk is full; nothing was changed", underlying: error)
            default:
                throw ReplicaError(.storage, "storage error: \(error.message ?? "\(error)")", underlying: error)
            }
        } catch {
            throw ReplicaError(.storage, "storage error: \(error)", underlying: error)
        }
    }
}

/// Creates `path` as an empty file with `mode` (`O_EXCL`: never an existing file). At file scope, as
/// `open` inside `Replica` is ``Replica/open(at:clock:)``.
private func createEmptyFile(_ path: String, mode: mode_t) throws(ReplicaError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
        let code = errno
        throw ReplicaError(code == EEXIST ? .alreadyExists : .storage,
                           "cannot create \(path): \(String(cString: strerror(code)))")
    }
    close(descriptor)
}
