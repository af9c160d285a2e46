public import Causality
public import InboxModel
public import Replica
public import ServerAPI
import Foundation
import GRDB
import Synchronization

/// The server's data directory: `server.sqlite` (identity, brands, users, devices, enrollment
/// codes, token hashes) and one server ``Replica`` per brand in `brands/<brand>.sqlite`
/// (Protocol/SERVER_API.md). Admin commands and the server open the same directory; SQLite WAL
/// lets them run at the same time.
public final class ServerStore: Sendable {
    /// The data directory.
    public let directory: String
    /// The server's own replica id: every brand replica here has it.
    public let serverReplica: ReplicaID
    let pool: DatabasePool
    let clock: any PhysicalClock
    let replicas = Mutex<[BrandID: Replica]>([:])
    /// What this node shares with others (PostgreSQL), or `nil` for the embedded store.
    public let shared: SharedStorage?
    /// This node's name in the outbox's claims: random, made once per data directory (`meta`
    /// `node_id`), so that a node restarted on its folder takes its own claims back at once.
    let claimant: String

    private init(directory: String, serverReplica: ReplicaID, pool: DatabasePool, clock: any PhysicalClock,
                 shared: SharedStorage?, claimant: String) {
        self.claimant = claimant
        self.directory = directory
        self.serverReplica = serverReplica
        self.pool = pool
        self.clock = clock
        self.shared = shared
    }

    /// Opens the data directory, creating it (and the server's replica id) the first time unless
    /// `create` is false (then a missing directory fails with `no_data`, and nothing is made).
    ///
    /// With `shared`, the node keeps its directory, brand logs and wake-ups there (PostgreSQL), and
    /// the data directory holds only this node's replicas of the brands (rebuilt from the logs when
    /// missing) and its own bookkeeping; it is made when missing.
    public static func open(directory: String, create: Bool = true,
                            clock: any PhysicalClock = SystemClock(), shared: SharedStorage? = nil) throws(ServerError) -> ServerStore {
        guard create || shared != nil || FileManager.default.fileExists(atPath: directory + "/server.sqlite") else {
            throw ServerError(.noData, "no server data in \(directory); create a brand first (outpost admin brand add)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/brands", withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            let pool = try DatabasePool(path: directory + "/server.sqlite", configuration: configuration)
            try ServerSchema.migrator.migrate(pool)
            let node = try pool.write { db -> String in
                if let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'node_id'") { return id }
                let id = UUID().uuidString.lowercased()
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('node_id', ?)", arguments: [id])
                return id
            }
            if let shared {
                return ServerStore(directory: directory, serverReplica: shared.directory.serverReplica, pool: pool, clock: clock,
                                   shared: shared, claimant: node)
            }
            let replica = try pool.write { db -> ReplicaID in
                if let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'server_replica'"),
                   let id = ReplicaID(text: text) {
                    return id
                }
                // Small ids keep version vectors short on the wire (a varint of one byte, not nine).
                let id = ReplicaID(1)
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('server_replica', ?)", arguments: [id.description])
                return id
            }
            return ServerStore(directory: directory, serverReplica: replica, pool: pool, clock: clock, shared: nil,
                               claimant: node)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.storageError, "cannot open the data directory \(directory): \(error)")
        }
    }

    /// The directory (brands, users, devices, codes, tokens) as the async ``ServerDirectory`` the
    /// server uses: the same tables and queries as this store's synchronous methods.
    public var serverDirectory: any ServerDirectory {
        shared?.directory ?? SQLiteDirectory(serverReplica: serverReplica, pool: pool, clock: clock)
    }

    /// Runs `call` on the shared directory, blocking this thread until it answers: the synchronous
    /// methods' way there (they run on the store pool or an admin command's main thread, never on
    /// Swift's shared pool).
    func onShared<T: Sendable>(_ shared: SharedStorage,
                               _ call: @escaping @Sendable (any ServerDirectory) async throws(ServerError) -> T) throws(ServerError) -> T {
        try blocking { () async throws(ServerError) in try await call(shared.directory) }
    }

    /// Runs async storage work from a thread that may block (the store pool's, an admin command's
    /// main thread), waiting for its answer.
    func blocking<T: Sendable>(_ call: @escaping @Sendable () async throws(ServerError) -> T) throws(ServerError) -> T {
        do {
            return try BlockingReply.run { try await call() }
        } catch {
            throw (error as? ServerError) ?? ServerError.storage(error)
        }
    }

    // MARK: Brands, users, partners

    /// The brand ids, sorted.
    public func brands() throws(ServerError) -> [BrandID] {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.brands() } }
        return try wrap { try pool.read(SQLiteDirectory.brands) }
    }

    /// The brand's server replica, opened once per store.
    public func brandReplica(_ brand: BrandID) throws(ServerError) -> Replica {
        if let replica = replicas.withLock({ $0[brand] }) { return replica }
        try requireBrand(brand)
        let replica = try openReplica(brand)
        return replicas.withLock { cache in
            if let existing = cache[brand] { return existing }
            cache[brand] = replica
            return replica
        }
    }

    /// Creates a brand and its replica, whose first op is `setBrand`. Fails with `brand_exists`.
    public func addBrand(_ brand: BrandID, name: String) throws(ServerError) {
        try requireName(name)
        if let shared {
            guard try !onShared(shared, { directory throws(ServerError) in try await directory.hasBrand(brand) }) else {
                throw ServerError(.brandExists, "brand \(brand) already exists")
            }
        } else {
            guard try !wrap({ try pool.read { db in try SQLiteDirectory.hasBrand(brand, db) } }) else {
                throw ServerError(.brandExists, "brand \(brand) already exists")
            }
        }
        let replica = try openReplica(brand, creating: true)
        try replicaCall { () throws(ReplicaError) in try replica.performServerOp(.setBrand(Brand(id: brand, name: name))) }
        if let shared {
            try onShared(shared) { directory throws(ServerError) in try await directory.insertBrand(brand, name: name) }
        } else {
            let now = clock.nowMilliseconds()
            try wrap { try pool.write { db in try SQLiteDirectory.insertBrand(brand, name: name, now: now, db) } }
        }
        replicas.withLock { $0[brand] = replica }
    }

    /// Adds a user to a brand (an `upsertUser` op). Fails with `unknown_brand` or `user_exists`.
    public func addUser(brand: BrandID, id: UserID, name: String, email: String) throws(ServerError) {
        try requireName(name)
        try requireEmail(email)
        let replica = try brandReplica(brand)
        guard try user(brand: brand, id: id) == nil else {
            throw ServerError(.userExists, "user \(id) already exists in brand \(brand)")
        }
        try replicaCall { () throws(ReplicaError) in
            try replica.performServerOp(.upsertUser(User(id: id, name: name, email: email)))
        }
        if let shared {
            try onShared(shared) { directory throws(ServerError) in
                try await directory.insertUser(brand: brand, id: id, name: name, email: email)
            }
        } else {
            try wrap {
                try pool.write { db in try SQLiteDirectory.insertUser(brand: brand, id: id, name: name, email: email, db) }
            }
        }
    }

    /// The user's name and email, or `nil` if the brand has no such user.
    public func user(brand: BrandID, id: UserID) throws(ServerError) -> User? {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.user(brand: brand, id: id) } }
        return try wrap { try pool.read { db in try SQLiteDirectory.user(brand: brand, id: id, db) } }
    }

    /// Adds a partner to a brand (an `upsertPartner` op). Fails with `partner_exists`.
    public func addPartner(brand: BrandID, id: PartnerID, name: String, email: String,
                           status: PartnershipStatus) throws(ServerError) {
        try requireName(name)
        try requireEmail(email)
        let replica = try brandReplica(brand)
        guard try partner(id, in: replica) == nil else {
            throw ServerError(.partnerExists, "partner \(id) already exists in brand \(brand)")
        }
        let partner = Partner(id: id, name: name, contactEmail: email, status: status, statusSince: clock.nowMilliseconds())
        try replicaCall { () throws(ReplicaError) in try replica.performServerOp(.upsertPartner(partner)) }
    }

    /// Changes a partnership's status (an `upsertPartner` op). Fails with `unknown_partner`.
    public func setPartnerStatus(brand: BrandID, id: PartnerID, status: PartnershipStatus) throws(ServerError) {
        let replica = try brandReplica(brand)
        guard var partner = try partner(id, in: replica) else {
            throw ServerError(.unknownPartner, "brand \(brand) has no partner \(id)")
        }
        guard partner.status != status else { return }
        partner.status = status
        partner.statusSince = clock.nowMilliseconds()
        try replicaCall { () throws(ReplicaError) in try replica.performServerOp(.upsertPartner(partner)) }
    }

    func partner(_ id: PartnerID, in replica: Replica) throws(ServerError) -> Partner? {
        try replicaCall { () throws(ReplicaError) in try replica.partners() }.first { $0.partner.id == id }?.partner
    }

    // MARK: Enrollment and devices

    /// A one-time enrollment code for a user of a brand, valid for `validForMs`. Only its hash is
    /// kept.
    public func makeEnrollmentCode(brand: BrandID, user: UserID, validForMs: UInt64) throws(ServerError) -> String {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.makeEnrollmentCode(brand: brand, user: user, validForMs: validForMs) } }
        let code = Secrets.newCode()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try SQLiteDirectory.insertEnrollmentCode(hash: Secrets.hash(Secrets.normalizeCode(code)), brand: brand,
                                                         user: user, now: now, validForMs: validForMs, db)
            }
        }
        return code
    }

    /// Uses an enrollment code (once): registers a new device and returns its replica id and token.
    public func enroll(code: String, deviceName: String) throws(ServerError) -> Enrollment {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.enroll(code: code, deviceName: deviceName) } }
        let name = try DirectoryInput.deviceName(deviceName)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        let serverReplica = serverReplica
        return try wrap {
            try pool.write { db in
                try SQLiteDirectory.enroll(codeHash: Secrets.hash(Secrets.normalizeCode(code)), name: name, token: token,
                                           now: now, serverReplica: serverReplica, db)
            }
        }
    }

    /// The device a bearer token belongs to, or `nil` when the token is unknown or revoked.
    public func device(forToken token: String) throws(ServerError) -> DeviceRecord? {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.device(forToken: token) } }
        let hash = Secrets.hash(token)
        return try wrap { try pool.read { db in try SQLiteDirectory.device(tokenHash: hash, db) } }
    }

    /// One device by replica id, revoked or not.
    public func device(_ replica: ReplicaID) throws(ServerError) -> DeviceRecord? {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.device(replica) } }
        return try wrap { try pool.read { db in try SQLiteDirectory.device(replica, db) } }
    }

    /// A brand's devices, oldest first.
    public func devices(brand: BrandID) throws(ServerError) -> [DeviceRecord] {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.devices(brand: brand) } }
        return try wrap { try pool.read { db in try SQLiteDirectory.devices(brand: brand, db) } }
    }

    /// Of `replicas`, those revoked: the server ends their sessions.
    public func revoked(among replicas: [ReplicaID]) throws(ServerError) -> Set<ReplicaID> {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.revoked(among: replicas) } }
        guard !replicas.isEmpty else { return [] }
        return try wrap { try pool.read { db in try SQLiteDirectory.revoked(among: replicas, db) } }
    }

    /// Revokes a device: its token stops working at once. Fails with `unknown_device`.
    public func revoke(brand: BrandID, replica: ReplicaID) throws(ServerError) {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.revoke(brand: brand, replica: replica) } }
        let now = clock.nowMilliseconds()
        try wrap { try pool.write { db in try SQLiteDirectory.revoke(brand: brand, replica: replica, now: now, db) } }
    }

    // MARK: Helpers

    /// Opens this node's replica of a brand (creating it with `creating`, or always when the brand
    /// log is shared: the log rebuilds it); with a shared log, brings it up to date with the log.
    func openReplica(_ brand: BrandID, creating: Bool = false) throws(ServerError) -> Replica {
        let file = path(of: brand)
        let mirror = shared.map { $0.brandLog(brand) }
        let replica = try replicaCall { () throws(ReplicaError) -> Replica in
            if FileManager.default.fileExists(atPath: file) { return try Replica.open(at: file, clock: clock, mirror: mirror) }
            guard creating || mirror != nil else { return try Replica.open(at: file, clock: clock) }
            return try Replica.create(at: file, identity: ReplicaIdentity(replica: serverReplica, brand: brand, viewer: nil),
                                      clock: clock, mirror: mirror)
        }
        if mirror != nil { try replicaCall { () throws(ReplicaError) in try replica.catchUpWithMirror() } }
        return replica
    }

    func path(of brand: BrandID) -> String { "\(directory)/brands/\(brand.rawValue).sqlite" }

    func requireBrand(_ brand: BrandID) throws(ServerError) {
        if let shared {
            guard try onShared(shared, { directory throws(ServerError) in try await directory.hasBrand(brand) }) else {
                throw ServerError(.unknownBrand, "no brand \(brand)")
            }
            return
        }
        try wrap { try pool.read { db in try SQLiteDirectory.requireBrand(brand, db) } }
    }

    func requireName(_ name: String) throws(ServerError) { try DirectoryInput.requireName(name) }

    func requireEmail(_ email: String) throws(ServerError) { try DirectoryInput.requireEmail(email) }

    func wrap<T>(_ body: () throws -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.storage(error)
        }
    }

    @discardableResult
    func replicaCall<T>(_ body: () throws(ReplicaError) -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch {
            throw ServerError.replica(error)
        }
    }
}
