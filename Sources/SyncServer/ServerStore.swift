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

    private init(directory: String, serverReplica: ReplicaID, pool: DatabasePool, clock: any PhysicalClock) {
        self.directory = directory
        self.serverReplica = serverReplica
        self.pool = pool
        self.clock = clock
    }

    /// Opens the data directory, creating it (and the server's replica id) the first time unless
    /// `create` is false (then a missing directory fails with `no_data`, and nothing is made).
    public static func open(directory: String, create: Bool = true,
                            clock: any PhysicalClock = SystemClock()) throws(ServerError) -> ServerStore {
        guard create || FileManager.default.fileExists(atPath: directory + "/server.sqlite") else {
            throw ServerError(.noData, "no server data in \(directory); create a brand first (outpost admin brand add)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory + "/brands", withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            let pool = try DatabasePool(path: directory + "/server.sqlite", configuration: configuration)
            try ServerSchema.migrator.migrate(pool)
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
            return ServerStore(directory: directory, serverReplica: replica, pool: pool, clock: clock)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.storageError, "cannot open the data directory \(directory): \(error)")
        }
    }

    /// The directory (brands, users, devices, codes, tokens) as the async ``ServerDirectory`` the
    /// server uses: the same tables and queries as this store's synchronous methods.
    public var serverDirectory: SQLiteDirectory {
        SQLiteDirectory(serverReplica: serverReplica, pool: pool, clock: clock)
    }

    // MARK: Brands, users, partners

    /// The brand ids, sorted.
    public func brands() throws(ServerError) -> [BrandID] {
        try wrap { try pool.read(SQLiteDirectory.brands) }
    }

    /// The brand's server replica, opened once per store.
    public func brandReplica(_ brand: BrandID) throws(ServerError) -> Replica {
        if let replica = replicas.withLock({ $0[brand] }) { return replica }
        try requireBrand(brand)
        let replica = try replicaCall { () throws(ReplicaError) in try Replica.open(at: path(of: brand), clock: clock) }
        return replicas.withLock { cache in
            if let existing = cache[brand] { return existing }
            cache[brand] = replica
            return replica
        }
    }

    /// Creates a brand and its replica, whose first op is `setBrand`. Fails with `brand_exists`.
    public func addBrand(_ brand: BrandID, name: String) throws(ServerError) {
        try requireName(name)
        guard try !wrap({ try pool.read { db in try SQLiteDirectory.hasBrand(brand, db) } }) else {
            throw ServerError(.brandExists, "brand \(brand) already exists")
        }
        let file = path(of: brand)
        let replica = try replicaCall { () throws(ReplicaError) -> Replica in
            if FileManager.default.fileExists(atPath: file) { return try Replica.open(at: file, clock: clock) }
            return try Replica.create(at: file, identity: ReplicaIdentity(replica: serverReplica, brand: brand, viewer: nil),
                                      clock: clock)
        }
        try replicaCall { () throws(ReplicaError) in try replica.performServerOp(.setBrand(Brand(id: brand, name: name))) }
        let now = clock.nowMilliseconds()
        try wrap { try pool.write { db in try SQLiteDirectory.insertBrand(brand, name: name, now: now, db) } }
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
        try wrap {
            try pool.write { db in try SQLiteDirectory.insertUser(brand: brand, id: id, name: name, email: email, db) }
        }
    }

    /// The user's name and email, or `nil` if the brand has no such user.
    public func user(brand: BrandID, id: UserID) throws(ServerError) -> User? {
        try wrap { try pool.read { db in try SQLiteDirectory.user(brand: brand, id: id, db) } }
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
        let hash = Secrets.hash(token)
        return try wrap { try pool.read { db in try SQLiteDirectory.device(tokenHash: hash, db) } }
    }

    /// One device by replica id, revoked or not.
    public func device(_ replica: ReplicaID) throws(ServerError) -> DeviceRecord? {
        try wrap { try pool.read { db in try SQLiteDirectory.device(replica, db) } }
    }

    /// A brand's devices, oldest first.
    public func devices(brand: BrandID) throws(ServerError) -> [DeviceRecord] {
        try wrap { try pool.read { db in try SQLiteDirectory.devices(brand: brand, db) } }
    }

    /// Of `replicas`, those revoked: the server ends their sessions.
    public func revoked(among replicas: [ReplicaID]) throws(ServerError) -> Set<ReplicaID> {
        guard !replicas.isEmpty else { return [] }
        return try wrap { try pool.read { db in try SQLiteDirectory.revoked(among: replicas, db) } }
    }

    /// Revokes a device: its token stops working at once. Fails with `unknown_device`.
    public func revoke(brand: BrandID, replica: ReplicaID) throws(ServerError) {
        let now = clock.nowMilliseconds()
        try wrap { try pool.write { db in try SQLiteDirectory.revoke(brand: brand, replica: replica, now: now, db) } }
    }

    // MARK: Helpers

    func path(of brand: BrandID) -> String { "\(directory)/brands/\(brand.rawValue).sqlite" }

    func requireBrand(_ brand: BrandID) throws(ServerError) {
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
