public import Causality
public import InboxModel
public import ServerAPI
import Foundation
import GRDB
import Replica

/// The embedded ``ServerDirectory``: tables of `server.sqlite` (``ServerSchema``). Each query is
/// written once, as a function of a GRDB `Database`; the async methods run it through GRDB's
/// async access (its own queues, never a thread of the shared pool), and ``ServerStore``'s
/// synchronous methods, which the admin commands use, run the same function directly.
public struct SQLiteDirectory: ServerDirectory {
    public let serverReplica: ReplicaID
    let pool: DatabasePool
    let clock: any PhysicalClock

    init(serverReplica: ReplicaID, pool: DatabasePool, clock: any PhysicalClock) {
        self.serverReplica = serverReplica
        self.pool = pool
        self.clock = clock
    }

    public func brands() async throws(ServerError) -> [BrandID] {
        try await read(Self.brands)
    }

    public func hasBrand(_ brand: BrandID) async throws(ServerError) -> Bool {
        try await read { db in try Self.hasBrand(brand, db) }
    }

    public func brandName(_ brand: BrandID) async throws(ServerError) -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT name FROM brands WHERE id = ?", arguments: [brand.rawValue]) }
    }

    public func insertBrand(_ brand: BrandID, name: String) async throws(ServerError) {
        try DirectoryInput.requireName(name)
        let now = clock.nowMilliseconds()
        try await write { db in try Self.insertBrand(brand, name: name, now: now, db) }
    }

    public func insertUser(brand: BrandID, id: UserID, name: String, email: String) async throws(ServerError) {
        try DirectoryInput.requireName(name)
        try DirectoryInput.requireEmail(email)
        try await write { db in try Self.insertUser(brand: brand, id: id, name: name, email: email, db) }
    }

    public func user(brand: BrandID, id: UserID) async throws(ServerError) -> User? {
        try await read { db in try Self.user(brand: brand, id: id, db) }
    }

    public func makeEnrollmentCode(brand: BrandID, user: UserID, validForMs: UInt64) async throws(ServerError) -> String {
        let code = Secrets.newCode()
        let now = clock.nowMilliseconds()
        try await write { db in
            try Self.insertEnrollmentCode(hash: Secrets.hash(Secrets.normalizeCode(code)), brand: brand, user: user,
                                          now: now, validForMs: validForMs, db)
        }
        return code
    }

    public func enroll(code: String, deviceName: String) async throws(ServerError) -> Enrollment {
        let name = try DirectoryInput.deviceName(deviceName)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        let serverReplica = serverReplica
        return try await write { db in
            try Self.enroll(codeHash: Secrets.hash(Secrets.normalizeCode(code)), name: name, token: token, now: now,
                            serverReplica: serverReplica, db)
        }
    }

    public func device(forToken token: String) async throws(ServerError) -> DeviceRecord? {
        let hash = Secrets.hash(token)
        return try await read { db in try Self.device(tokenHash: hash, db) }
    }

    public func device(_ replica: ReplicaID) async throws(ServerError) -> DeviceRecord? {
        try await read { db in try Self.device(replica, db) }
    }

    public func devices(brand: BrandID) async throws(ServerError) -> [DeviceRecord] {
        try await read { db in try Self.devices(brand: brand, db) }
    }

    public func revoked(among replicas: [ReplicaID]) async throws(ServerError) -> Set<ReplicaID> {
        guard !replicas.isEmpty else { return [] }
        return try await read { db in try Self.revoked(among: replicas, db) }
    }

    public func revoke(brand: BrandID, replica: ReplicaID) async throws(ServerError) {
        let now = clock.nowMilliseconds()
        try await write { db in try Self.revoke(brand: brand, replica: replica, now: now, db) }
    }

    public func insertPartnerToken(brand: BrandID, partner: PartnerID, name: String) async throws(ServerError) -> String {
        try DirectoryInput.requireName(name)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try await write { db in
            try Self.insertPartnerToken(hash: Secrets.hash(token), brand: brand, partner: partner, name: name, now: now, db)
        }
        return token
    }

    public func revokePartnerTokens(brand: BrandID, partner: PartnerID) async throws(ServerError) -> Int {
        let now = clock.nowMilliseconds()
        return try await write { db in try Self.revokePartnerTokens(brand: brand, partner: partner, now: now, db) }
    }

    public func partnerAccess(forToken token: String) async throws(ServerError) -> PartnerAccess? {
        let hash = Secrets.hash(token)
        return try await read { db in try Self.partnerAccess(tokenHash: hash, db) }
    }

    public func makeAdminToken(name: String, brand: BrandID?) async throws(ServerError) -> String {
        try DirectoryInput.requireName(name)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try await write { db in try Self.insertAdminToken(hash: Secrets.hash(token), name: name, brand: brand, now: now, db) }
        return token
    }

    public func adminAccess(forToken token: String) async throws(ServerError) -> AdminAccess? {
        let hash = Secrets.hash(token)
        return try await read { db in try Self.adminAccess(tokenHash: hash, db) }
    }

    public func adminTokens() async throws(ServerError) -> [AdminTokenRecord] {
        try await read(Self.adminTokens)
    }

    public func markAdminTokenRevoked(id: String, now: UInt64) async throws(ServerError) {
        try await write { db in try Self.markAdminTokenRevoked(id: id, now: now, db) }
    }

    // MARK: The queries, once each

    static func brands(_ db: Database) throws -> [BrandID] {
        try String.fetchAll(db, sql: "SELECT id FROM brands ORDER BY id").compactMap(BrandID.init(rawValue:))
    }

    static func hasBrand(_ brand: BrandID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM brands WHERE id = ?", arguments: [brand.rawValue]) ?? false
    }

    static func requireBrand(_ brand: BrandID, _ db: Database) throws {
        guard try hasBrand(brand, db) else { throw ServerError(.unknownBrand, "no brand \(brand)") }
    }

    static func insertBrand(_ brand: BrandID, name: String, now: UInt64, _ db: Database) throws {
        guard try !hasBrand(brand, db) else { throw ServerError(.brandExists, "brand \(brand) already exists") }
        try db.execute(sql: "INSERT INTO brands (id, name, created) VALUES (?, ?, ?)",
                       arguments: [brand.rawValue, name, Int64(clamping: now)])
    }

    static func insertUser(brand: BrandID, id: UserID, name: String, email: String, _ db: Database) throws {
        try requireBrand(brand, db)
        guard try user(brand: brand, id: id, db) == nil else {
            throw ServerError(.userExists, "user \(id) already exists in brand \(brand)")
        }
        try db.execute(sql: "INSERT INTO users (brand, id, name, email) VALUES (?, ?, ?, ?)",
                       arguments: [brand.rawValue, id.rawValue, name, email])
    }

    static func user(brand: BrandID, id: UserID, _ db: Database) throws -> User? {
        try Row.fetchOne(db, sql: "SELECT name, email FROM users WHERE brand = ? AND id = ?",
                         arguments: [brand.rawValue, id.rawValue])
            .map { User(id: id, name: $0[0], email: $0[1]) }
    }

    static func insertEnrollmentCode(hash: Data, brand: BrandID, user: UserID, now: UInt64, validForMs: UInt64,
                                     _ db: Database) throws {
        try requireBrand(brand, db)
        guard try self.user(brand: brand, id: user, db) != nil else {
            throw ServerError(.unknownUser, "brand \(brand) has no user \(user)")
        }
        try db.execute(sql: """
            INSERT INTO enrollment_codes (hash, brand, user, created, expires) VALUES (?, ?, ?, ?, ?)
            """, arguments: [hash, brand.rawValue, user.rawValue, Int64(clamping: now), Int64(clamping: now &+ validForMs)])
    }

    static func enroll(codeHash: Data, name: String, token: String, now: UInt64, serverReplica: ReplicaID,
                       _ db: Database) throws -> Enrollment {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT brand, user FROM enrollment_codes WHERE hash = ? AND used IS NULL AND expires > ?
            """, arguments: [codeHash, Int64(clamping: now)]),
            let brand = BrandID(rawValue: row[0]), let user = UserID(rawValue: row[1])
        else { throw ServerError.codeInvalid }
        // The next free small id: every vector that names this device stays short on the wire.
        let highest = try Int64.fetchOne(db, sql: "SELECT MAX(replica) FROM devices") ?? 1
        guard highest < Int64.max - 1 else { throw ServerError(.storageError, "no device id is left") }
        var replica = ReplicaID(UInt64(clamping: max(highest, 1) + 1))
        if replica == serverReplica { replica = ReplicaID(replica.rawValue + 1) }
        try db.execute(sql: "UPDATE enrollment_codes SET used = ?, device = ? WHERE hash = ?",
                       arguments: [Int64(clamping: now), Int64(clamping: replica.rawValue), codeHash])
        try db.execute(sql: """
            INSERT INTO devices (replica, brand, user, name, created, token_hash) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [Int64(clamping: replica.rawValue), brand.rawValue, user.rawValue, name, Int64(clamping: now),
                             Secrets.hash(token)])
        return Enrollment(replica: replica, token: token, brand: brand, user: user, serverReplica: serverReplica)
    }

    static func device(tokenHash: Data, _ db: Database) throws -> DeviceRecord? {
        try Row.fetchOne(db, sql: "\(deviceColumns) WHERE token_hash = ? AND revoked IS NULL",
                         arguments: [tokenHash]).flatMap(device)
    }

    static func device(_ replica: ReplicaID, _ db: Database) throws -> DeviceRecord? {
        try Row.fetchOne(db, sql: "\(deviceColumns) WHERE replica = ?",
                         arguments: [Int64(clamping: replica.rawValue)]).flatMap(device)
    }

    static func devices(brand: BrandID, _ db: Database) throws -> [DeviceRecord] {
        try requireBrand(brand, db)
        return try Row.fetchAll(db, sql: "\(deviceColumns) WHERE brand = ? ORDER BY created, replica",
                                arguments: [brand.rawValue]).compactMap(device)
    }

    static func revoked(among replicas: [ReplicaID], _ db: Database) throws -> Set<ReplicaID> {
        let ids = replicas.map { Int64(clamping: $0.rawValue) }
        return Set(try Int64.fetchAll(db, sql: """
            SELECT replica FROM devices WHERE revoked IS NOT NULL AND replica IN (SELECT value FROM json_each(?))
            """, arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"]).map { ReplicaID(UInt64(clamping: $0)) })
    }

    static func revoke(brand: BrandID, replica: ReplicaID, now: UInt64, _ db: Database) throws {
        try requireBrand(brand, db)
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE brand = ? AND replica = ?",
                                arguments: [brand.rawValue, Int64(clamping: replica.rawValue)]) ?? false
        else { throw ServerError(.unknownDevice, "brand \(brand) has no device \(replica)") }
        try db.execute(sql: "UPDATE devices SET revoked = ? WHERE replica = ? AND revoked IS NULL",
                       arguments: [Int64(clamping: now), Int64(clamping: replica.rawValue)])
    }

    static func insertPartnerToken(hash: Data, brand: BrandID, partner: PartnerID, name: String, now: UInt64,
                                   _ db: Database) throws {
        try requireBrand(brand, db)
        try db.execute(sql: """
            INSERT INTO partner_tokens (token_hash, brand, partner, name, created) VALUES (?, ?, ?, ?, ?)
            """, arguments: [hash, brand.rawValue, partner.rawValue, name, Int64(clamping: now)])
    }

    static func revokePartnerTokens(brand: BrandID, partner: PartnerID, now: UInt64, _ db: Database) throws -> Int {
        try requireBrand(brand, db)
        try db.execute(sql: """
            UPDATE partner_tokens SET revoked = ? WHERE brand = ? AND partner = ? AND revoked IS NULL
            """, arguments: [Int64(clamping: now), brand.rawValue, partner.rawValue])
        return db.changesCount
    }

    static func partnerAccess(tokenHash: Data, _ db: Database) throws -> PartnerAccess? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT brand, partner FROM partner_tokens WHERE token_hash = ? AND revoked IS NULL
            """, arguments: [tokenHash]),
            let brand = BrandID(rawValue: row[0]), let partner = PartnerID(rawValue: row[1])
        else { return nil }
        return PartnerAccess(brand: brand, partner: partner)
    }

    static func insertAdminToken(hash: Data, name: String, brand: BrandID?, now: UInt64, _ db: Database) throws {
        if let brand { try requireBrand(brand, db) }
        try db.execute(sql: "INSERT INTO admin_tokens (token_hash, name, created, brand) VALUES (?, ?, ?, ?)",
                       arguments: [hash, name, Int64(clamping: now), brand?.rawValue])
    }

    static func adminAccess(tokenHash: Data, _ db: Database) throws -> AdminAccess? {
        guard let row = try Row.fetchOne(db, sql: "SELECT brand FROM admin_tokens WHERE token_hash = ? AND revoked IS NULL",
                                         arguments: [tokenHash]) else { return nil }
        let brand: String? = row[0]
        return AdminAccess(brand: brand.flatMap { BrandID(rawValue: $0) })
    }

    static func adminTokens(_ db: Database) throws -> [AdminTokenRecord] {
        try Row.fetchAll(db, sql: "SELECT token_hash, name, brand, created, revoked FROM admin_tokens ORDER BY created, rowid")
            .map { row in
                let hash: Data = row[0]
                let brand: String? = row[2]
                let revoked: Int64? = row[4]
                return AdminTokenRecord(id: AdminTokenRecord.id(hash: hash), name: row[1], brand: brand,
                                        created: UInt64(clamping: row[3] as Int64), revoked: revoked.map { UInt64(clamping: $0) })
            }
    }

    static func markAdminTokenRevoked(id: String, now: UInt64, _ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT token_hash FROM admin_tokens WHERE revoked IS NULL") {
            let hash: Data = row[0]
            if AdminTokenRecord.id(hash: hash) == id {
                try db.execute(sql: "UPDATE admin_tokens SET revoked = ? WHERE token_hash = ?",
                               arguments: [Int64(clamping: now), hash])
            }
        }
    }

    private static let deviceColumns = "SELECT replica, brand, user, name, created, revoked FROM devices"

    private static func device(_ row: Row) -> DeviceRecord? {
        guard let brand = BrandID(rawValue: row[1]), let user = UserID(rawValue: row[2]) else { return nil }
        return DeviceRecord(replica: ReplicaID(UInt64(clamping: row[0] as Int64)), brand: brand, user: user, name: row[3],
                            created: UInt64(clamping: row[4] as Int64), revoked: (row[5] as Int64?).map { UInt64(clamping: $0) })
    }

    // MARK: Access

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ServerError) -> T {
        do { return try await pool.read(body) } catch { throw Self.serverError(error) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ServerError) -> T {
        do { return try await pool.write(body) } catch { throw Self.serverError(error) }
    }

    /// A refusal as it was thrown; anything else of SQLite is the server's `storage_error`.
    static func serverError(_ error: any Error) -> ServerError {
        (error as? ServerError) ?? ServerError.storage(error)
    }
}
