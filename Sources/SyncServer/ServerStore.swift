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

    // MARK: Brands, users, partners

    /// The brand ids, sorted.
    public func brands() throws(ServerError) -> [BrandID] {
        try wrap { try pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM brands ORDER BY id") } }
            .compactMap(BrandID.init(rawValue:))
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
        let exists = try wrap { try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM brands WHERE id = ?", arguments: [brand.rawValue]) ?? false } }
        guard !exists else { throw ServerError(.brandExists, "brand \(brand) already exists") }
        let file = path(of: brand)
        let replica = try replicaCall { () throws(ReplicaError) -> Replica in
            if FileManager.default.fileExists(atPath: file) { return try Replica.open(at: file, clock: clock) }
            return try Replica.create(at: file, identity: ReplicaIdentity(replica: serverReplica, brand: brand, viewer: nil),
                                      clock: clock)
        }
        try replicaCall { () throws(ReplicaError) in try replica.performServerOp(.setBrand(Brand(id: brand, name: name))) }
        try wrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO brands (id, name, created) VALUES (?, ?, ?)",
                               arguments: [brand.rawValue, name, Int64(clamping: clock.nowMilliseconds())])
            }
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
        try wrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO users (brand, id, name, email) VALUES (?, ?, ?, ?)",
                               arguments: [brand.rawValue, id.rawValue, name, email])
            }
        }
    }

    /// The user's name and email, or `nil` if the brand has no such user.
    public func user(brand: BrandID, id: UserID) throws(ServerError) -> User? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT name, email FROM users WHERE brand = ? AND id = ?",
                                 arguments: [brand.rawValue, id.rawValue])
                    .map { User(id: id, name: $0[0], email: $0[1]) }
            }
        }
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
        try requireBrand(brand)
        guard try self.user(brand: brand, id: user) != nil else {
            throw ServerError(.unknownUser, "brand \(brand) has no user \(user)")
        }
        let code = Secrets.newCode()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO enrollment_codes (hash, brand, user, created, expires) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [Secrets.hash(Secrets.normalizeCode(code)), brand.rawValue, user.rawValue,
                                     Int64(clamping: now), Int64(clamping: now &+ validForMs)])
            }
        }
        return code
    }

    /// Uses an enrollment code (once): registers a new device and returns its replica id and token.
    public func enroll(code: String, deviceName: String) throws(ServerError) -> Enrollment {
        let name = deviceName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else {
            throw ServerError.badRequest("deviceName must be 1 to 100 characters")
        }
        let hash = Secrets.hash(Secrets.normalizeCode(code))
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        let serverReplica = serverReplica
        let result = try wrap {
            try pool.write { db -> Enrollment? in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT brand, user FROM enrollment_codes WHERE hash = ? AND used IS NULL AND expires > ?
                    """, arguments: [hash, Int64(clamping: now)]),
                    let brand = BrandID(rawValue: row[0]), let user = UserID(rawValue: row[1])
                else { return nil }
                // The next free small id: every vector that names this device stays short on the wire.
                let highest = try Int64.fetchOne(db, sql: "SELECT MAX(replica) FROM devices") ?? 1
                var replica = ReplicaID(UInt64(max(highest, 1) + 1))
                if replica == serverReplica { replica = ReplicaID(replica.rawValue + 1) }
                try db.execute(sql: "UPDATE enrollment_codes SET used = ?, device = ? WHERE hash = ?",
                               arguments: [Int64(clamping: now), Int64(clamping: replica.rawValue), hash])
                try db.execute(sql: """
                    INSERT INTO devices (replica, brand, user, name, created, token_hash) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [Int64(clamping: replica.rawValue), brand.rawValue, user.rawValue, name, Int64(clamping: now),
                                     Secrets.hash(token)])
                return Enrollment(replica: replica, token: token, brand: brand, user: user, serverReplica: serverReplica)
            }
        }
        guard let result else { throw ServerError.codeInvalid }
        return result
    }

    /// The device a bearer token belongs to, or `nil` when the token is unknown or revoked.
    public func device(forToken token: String) throws(ServerError) -> DeviceRecord? {
        let hash = Secrets.hash(token)
        return try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "\(Self.deviceColumns) WHERE token_hash = ? AND revoked IS NULL",
                                 arguments: [hash]).flatMap(Self.device)
            }
        }
    }

    /// One device by replica id, revoked or not.
    public func device(_ replica: ReplicaID) throws(ServerError) -> DeviceRecord? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "\(Self.deviceColumns) WHERE replica = ?",
                                 arguments: [Int64(clamping: replica.rawValue)]).flatMap(Self.device)
            }
        }
    }

    /// A brand's devices, oldest first.
    public func devices(brand: BrandID) throws(ServerError) -> [DeviceRecord] {
        try requireBrand(brand)
        return try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "\(Self.deviceColumns) WHERE brand = ? ORDER BY created, replica",
                                 arguments: [brand.rawValue]).compactMap(Self.device)
            }
        }
    }

    /// Of `replicas`, those revoked: the server ends their sessions.
    public func revoked(among replicas: [ReplicaID]) throws(ServerError) -> Set<ReplicaID> {
        guard !replicas.isEmpty else { return [] }
        let ids = replicas.map { Int64(clamping: $0.rawValue) }
        return try wrap {
            try pool.read { db in
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                return Set(try Int64.fetchAll(db, sql: "SELECT replica FROM devices WHERE revoked IS NOT NULL AND replica IN (\(marks))",
                                              arguments: StatementArguments(ids)).map { ReplicaID(UInt64(clamping: $0)) })
            }
        }
    }

    /// Revokes a device: its token stops working at once. Fails with `unknown_device`.
    public func revoke(brand: BrandID, replica: ReplicaID) throws(ServerError) {
        try requireBrand(brand)
        let now = Int64(clamping: clock.nowMilliseconds())
        let changed = try wrap {
            try pool.write { db -> Bool in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE brand = ? AND replica = ?",
                                        arguments: [brand.rawValue, Int64(clamping: replica.rawValue)]) ?? false
                else { return false }
                try db.execute(sql: "UPDATE devices SET revoked = ? WHERE replica = ? AND revoked IS NULL",
                               arguments: [now, Int64(clamping: replica.rawValue)])
                return true
            }
        }
        guard changed else { throw ServerError(.unknownDevice, "brand \(brand) has no device \(replica)") }
    }

    // MARK: Helpers

    private static let deviceColumns = "SELECT replica, brand, user, name, created, revoked FROM devices"

    private static func device(_ row: Row) -> DeviceRecord? {
        guard let brand = BrandID(rawValue: row[1]), let user = UserID(rawValue: row[2]) else { return nil }
        return DeviceRecord(replica: ReplicaID(UInt64(clamping: row[0] as Int64)), brand: brand, user: user, name: row[3],
                            created: UInt64(clamping: row[4] as Int64), revoked: (row[5] as Int64?).map(UInt64.init))
    }

    func path(of brand: BrandID) -> String { "\(directory)/brands/\(brand.rawValue).sqlite" }

    func requireBrand(_ brand: BrandID) throws(ServerError) {
        let exists = try wrap {
            try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM brands WHERE id = ?", arguments: [brand.rawValue]) ?? false }
        }
        guard exists else { throw ServerError(.unknownBrand, "no brand \(brand)") }
    }

    func requireName(_ name: String) throws(ServerError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw ServerError(.invalidArgument, "the name must be 1 to 200 characters")
        }
        try requireNoControls(name, "the name")
    }

    func requireEmail(_ email: String) throws(ServerError) {
        try requireNoControls(email, "the email address")
        guard email.contains("@"), email.count <= 254, !email.contains(where: \.isWhitespace) else {
            throw ServerError(.invalidArgument, "not an email address: \(email)")
        }
    }

    /// Names, addresses and ids are single-line text: no control character (``TextRules``), so
    /// that nothing is cut short at a NUL where it is stored or mailed.
    func requireNoControls(_ text: String, _ what: String) throws(ServerError) {
        guard TextRules.isAllowedSingleLine(text) else {
            throw ServerError(.invalidArgument,
                              "\(what) contains the control character \(TextRules.firstControl(text) ?? "?")")
        }
    }

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
