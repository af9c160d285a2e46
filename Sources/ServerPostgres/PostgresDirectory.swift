public import Causality
import Foundation
public import InboxModel
import PostgresNIO
public import Replica
public import ServerAPI
public import SyncServer

/// The ``ServerDirectory`` on PostgreSQL: the tables of ``PostgresSchema``'s `v1-directory`. Any
/// number of server nodes share it: enrollment uses a code in one `UPDATE … RETURNING` (of two
/// nodes taking one code at once, one wins), device ids come from a sequence, revocation is one
/// row, read by every node on each token check.
public struct PostgresDirectory: ServerDirectory {
    public let serverReplica: ReplicaID
    let database: ServerDatabase
    let clock: any PhysicalClock

    /// The directory of `database`, whose schema ``ServerDatabase/open(_:logger:)`` migrated.
    public static func open(_ database: ServerDatabase, clock: any PhysicalClock = SystemClock())
        async throws(ServerError) -> PostgresDirectory {
        let logger = database.logger
        let text = try await database.connection { connection -> String? in
            for try await value in try await connection.query(
                "SELECT value FROM meta WHERE key = 'server_replica'", logger: logger).decode(String.self) {
                return value
            }
            return nil
        }
        guard let text, let replica = ReplicaID(text: text) else {
            throw ServerError(.storageError, "the database has no server replica id (meta.server_replica)")
        }
        return PostgresDirectory(serverReplica: replica, database: database, clock: clock)
    }

    public func brands() async throws(ServerError) -> [BrandID] {
        let logger = database.logger
        return try await database.connection { connection in
            var brands: [BrandID] = []
            for try await id in try await connection.query("SELECT id FROM brands ORDER BY id", logger: logger)
                .decode(String.self) {
                if let brand = BrandID(rawValue: id) { brands.append(brand) }
            }
            return brands
        }
    }

    public func hasBrand(_ brand: BrandID) async throws(ServerError) -> Bool {
        let logger = database.logger
        return try await database.connection { connection in
            try await Self.exists(connection, "SELECT 1 FROM brands WHERE id = \(brand.rawValue)", logger)
        }
    }

    public func brandName(_ brand: BrandID) async throws(ServerError) -> String? {
        let logger = database.logger
        return try await database.connection { connection in
            var name: String?
            for try await value in try await connection.query("SELECT name FROM brands WHERE id = \(brand.rawValue)", logger: logger)
                .decode(String.self) {
                name = value
            }
            return name
        }
    }

    public func insertBrand(_ brand: BrandID, name: String) async throws(ServerError) {
        try DirectoryInput.requireName(name)
        let logger = database.logger
        let now = Int64(clamping: clock.nowMilliseconds())
        try await database.transaction { connection in
            let inserted = try await Self.exists(connection, """
                INSERT INTO brands (id, name, created) VALUES (\(brand.rawValue), \(name), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
            guard inserted else { throw ServerError(.brandExists, "brand \(brand) already exists") }
        }
    }

    public func insertUser(brand: BrandID, id: UserID, name: String, email: String) async throws(ServerError) {
        try DirectoryInput.requireName(name)
        try DirectoryInput.requireEmail(email)
        let logger = database.logger
        try await database.transaction { connection in
            try await Self.requireBrand(brand, connection, logger)
            let inserted = try await Self.exists(connection, """
                INSERT INTO users (brand, id, name, email) VALUES (\(brand.rawValue), \(id.rawValue), \(name), \(email))
                ON CONFLICT (brand, id) DO NOTHING RETURNING 1
                """, logger)
            guard inserted else { throw ServerError(.userExists, "user \(id) already exists in brand \(brand)") }
        }
    }

    public func user(brand: BrandID, id: UserID) async throws(ServerError) -> User? {
        let logger = database.logger
        return try await database.connection { connection in
            try await Self.user(brand: brand, id: id, connection, logger)
        }
    }

    public func makeEnrollmentCode(brand: BrandID, user: UserID, validForMs: UInt64) async throws(ServerError) -> String {
        let code = Secrets.newCode()
        let hash = Secrets.hash(Secrets.normalizeCode(code))
        let now = clock.nowMilliseconds()
        let created = Int64(clamping: now), expires = Int64(clamping: now &+ validForMs)
        let logger = database.logger
        try await database.transaction { connection in
            try await Self.requireBrand(brand, connection, logger)
            guard try await Self.user(brand: brand, id: user, connection, logger) != nil else {
                throw ServerError(.unknownUser, "brand \(brand) has no user \(user)")
            }
            try await connection.query("""
                INSERT INTO enrollment_codes (hash, brand, user_id, created, expires)
                VALUES (\(hash), \(brand.rawValue), \(user.rawValue), \(created), \(expires))
                """, logger: logger)
        }
        return code
    }

    public func enroll(code: String, deviceName: String) async throws(ServerError) -> Enrollment {
        let name = try DirectoryInput.deviceName(deviceName)
        let hash = Secrets.hash(Secrets.normalizeCode(code))
        let token = Secrets.newToken()
        let tokenHash = Secrets.hash(token)
        let now = Int64(clamping: clock.nowMilliseconds())
        let serverReplica = serverReplica
        let logger = database.logger
        return try await database.transaction { connection in
            // The row lock of the UPDATE makes a second use of the code wait, then find it used.
            var taken: (String, String, Int64)?
            for try await row in try await connection.query("""
                UPDATE enrollment_codes SET used = \(now), device = nextval('device_ids')
                WHERE hash = \(hash) AND used IS NULL AND expires > \(now)
                RETURNING brand, user_id, device
                """, logger: logger).decode((String, String, Int64).self) {
                taken = row
            }
            guard let (brandText, userText, device) = taken, let brand = BrandID(rawValue: brandText),
                  let user = UserID(rawValue: userText), device > 1
            else { throw ServerError(.codeInvalid, "the enrollment code is unknown, used or expired") }
            try await connection.query("""
                INSERT INTO devices (replica, brand, user_id, name, created, token_hash)
                VALUES (\(device), \(brandText), \(userText), \(name), \(now), \(tokenHash))
                """, logger: logger)
            return Enrollment(replica: ReplicaID(UInt64(device)), token: token, brand: brand, user: user,
                              serverReplica: serverReplica)
        }
    }

    public func device(forToken token: String) async throws(ServerError) -> DeviceRecord? {
        let hash = Secrets.hash(token)
        let logger = database.logger
        return try await database.connection { connection in
            try await Self.devices(connection, "\(unescaped: Self.deviceColumns) WHERE token_hash = \(hash) AND revoked IS NULL",
                                   logger).first
        }
    }

    public func device(_ replica: ReplicaID) async throws(ServerError) -> DeviceRecord? {
        let id = Int64(clamping: replica.rawValue)
        let logger = database.logger
        return try await database.connection { connection in
            try await Self.devices(connection, "\(unescaped: Self.deviceColumns) WHERE replica = \(id)", logger).first
        }
    }

    public func devices(brand: BrandID) async throws(ServerError) -> [DeviceRecord] {
        let logger = database.logger
        return try await database.connection { connection in
            try await Self.requireBrand(brand, connection, logger)
            return try await Self.devices(
                connection, "\(unescaped: Self.deviceColumns) WHERE brand = \(brand.rawValue) ORDER BY created, replica", logger)
        }
    }

    public func revoked(among replicas: [ReplicaID]) async throws(ServerError) -> Set<ReplicaID> {
        guard !replicas.isEmpty else { return [] }
        let ids = replicas.map { Int64(clamping: $0.rawValue) }
        let logger = database.logger
        return try await database.connection { connection in
            var revoked: Set<ReplicaID> = []
            for try await id in try await connection.query(
                "SELECT replica FROM devices WHERE revoked IS NOT NULL AND replica = ANY(\(ids))", logger: logger)
                .decode(Int64.self) {
                revoked.insert(ReplicaID(UInt64(clamping: id)))
            }
            return revoked
        }
    }

    public func revoke(brand: BrandID, replica: ReplicaID) async throws(ServerError) {
        let id = Int64(clamping: replica.rawValue)
        let now = Int64(clamping: clock.nowMilliseconds())
        let logger = database.logger
        try await database.transaction { connection in
            try await Self.requireBrand(brand, connection, logger)
            let found = try await Self.exists(connection, """
                UPDATE devices SET revoked = COALESCE(revoked, \(now)) WHERE brand = \(brand.rawValue) AND replica = \(id)
                RETURNING 1
                """, logger)
            guard found else { throw ServerError(.unknownDevice, "brand \(brand) has no device \(replica)") }
            // Every node ends the device's sessions when this commits (ServerDatabase.notifications).
            try await connection.query("SELECT pg_notify('outpost_revocation', \(String(id)))", logger: logger)
        }
    }

    public func insertPartnerToken(brand: BrandID, partner: PartnerID, name: String) async throws(ServerError) -> String {
        try DirectoryInput.requireName(name)
        let token = Secrets.newToken()
        let hash = Secrets.hash(token)
        let now = Int64(clamping: clock.nowMilliseconds())
        let logger = database.logger
        try await database.transaction { connection in
            try await Self.requireBrand(brand, connection, logger)
            try await connection.query("""
                INSERT INTO partner_tokens (token_hash, brand, partner, name, created)
                VALUES (\(hash), \(brand.rawValue), \(partner.rawValue), \(name), \(now))
                """, logger: logger)
        }
        return token
    }

    public func revokePartnerTokens(brand: BrandID, partner: PartnerID) async throws(ServerError) -> Int {
        let now = Int64(clamping: clock.nowMilliseconds())
        let logger = database.logger
        return try await database.transaction { connection in
            try await Self.requireBrand(brand, connection, logger)
            var count = 0
            for try await _ in try await connection.query("""
                UPDATE partner_tokens SET revoked = \(now)
                WHERE brand = \(brand.rawValue) AND partner = \(partner.rawValue) AND revoked IS NULL RETURNING 1
                """, logger: logger) {
                count += 1
            }
            return count
        }
    }

    public func partnerAccess(forToken token: String) async throws(ServerError) -> PartnerAccess? {
        let hash = Secrets.hash(token)
        let logger = database.logger
        return try await database.connection { connection in
            var access: PartnerAccess?
            for try await (brand, partner) in try await connection.query(
                "SELECT brand, partner FROM partner_tokens WHERE token_hash = \(hash) AND revoked IS NULL", logger: logger)
                .decode((String, String).self) {
                if let brand = BrandID(rawValue: brand), let partner = PartnerID(rawValue: partner) {
                    access = PartnerAccess(brand: brand, partner: partner)
                }
            }
            return access
        }
    }

    public func makeAdminToken(name: String, brand: BrandID?) async throws(ServerError) -> String {
        try DirectoryInput.requireName(name)
        let token = Secrets.newToken()
        let hash = Secrets.hash(token)
        let now = Int64(clamping: clock.nowMilliseconds())
        let logger = database.logger
        try await database.transaction { connection in
            if let brand { try await Self.requireBrand(brand, connection, logger) }
            try await connection.query("""
                INSERT INTO admin_tokens (token_hash, name, brand, created) VALUES (\(hash), \(name), \(brand?.rawValue), \(now))
                """, logger: logger)
        }
        return token
    }

    public func adminAccess(forToken token: String) async throws(ServerError) -> AdminAccess? {
        let hash = Secrets.hash(token)
        let logger = database.logger
        return try await database.connection { connection in
            var access: AdminAccess?
            for try await brand in try await connection.query(
                "SELECT brand FROM admin_tokens WHERE token_hash = \(hash) AND revoked IS NULL", logger: logger)
                .decode(String?.self) {
                access = AdminAccess(brand: brand.flatMap { BrandID(rawValue: $0) })
            }
            return access
        }
    }

    public func adminTokens() async throws(ServerError) -> [AdminTokenRecord] {
        let logger = database.logger
        return try await database.connection { connection in
            var records: [AdminTokenRecord] = []
            for try await (hash, name, brand, created, revoked) in try await connection.query(
                "SELECT token_hash, name, brand, created, revoked FROM admin_tokens ORDER BY created, id", logger: logger)
                .decode((Data, String, String?, Int64, Int64?).self) {
                records.append(AdminTokenRecord(id: AdminTokenRecord.id(hash: hash), name: name, brand: brand,
                                                created: UInt64(clamping: created), revoked: revoked.map { UInt64(clamping: $0) }))
            }
            return records
        }
    }

    public func markAdminTokenRevoked(id: String, now: UInt64) async throws(ServerError) {
        let at = Int64(clamping: now)
        let logger = database.logger
        try await database.transaction { connection in
            var live: [Data] = []
            for try await hash in try await connection.query(
                "SELECT token_hash FROM admin_tokens WHERE revoked IS NULL FOR UPDATE", logger: logger).decode(Data.self) {
                live.append(hash)
            }
            for hash in live where AdminTokenRecord.id(hash: hash) == id {
                try await connection.query("UPDATE admin_tokens SET revoked = \(at) WHERE token_hash = \(hash)", logger: logger)
            }
        }
    }

    // MARK: Helpers

    private static let deviceColumns = "SELECT replica, brand, user_id, name, created, revoked FROM devices"

    private static func devices(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger)
        async throws -> [DeviceRecord] {
        var devices: [DeviceRecord] = []
        for try await (replica, brand, user, name, created, revoked) in try await connection.query(query, logger: logger)
            .decode((Int64, String, String, String, Int64, Int64?).self) {
            guard let brand = BrandID(rawValue: brand), let user = UserID(rawValue: user) else { continue }
            devices.append(DeviceRecord(replica: ReplicaID(UInt64(clamping: replica)), brand: brand, user: user, name: name,
                                        created: UInt64(clamping: created), revoked: revoked.map { UInt64(clamping: $0) }))
        }
        return devices
    }

    private static func user(brand: BrandID, id: UserID, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> User? {
        for try await (name, email) in try await connection.query(
            "SELECT name, email FROM users WHERE brand = \(brand.rawValue) AND id = \(id.rawValue)", logger: logger)
            .decode((String, String).self) {
            return User(id: id, name: name, email: email)
        }
        return nil
    }

    private static func requireBrand(_ brand: BrandID, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard try await exists(connection, "SELECT 1 FROM brands WHERE id = \(brand.rawValue)", logger) else {
            throw ServerError(.unknownBrand, "no brand \(brand)")
        }
    }

    /// Whether `query` returns a row (all rows are read, so the connection is free afterwards).
    private static func exists(_ connection: PostgresConnection, _ query: PostgresQuery, _ logger: Logger) async throws -> Bool {
        var found = false
        for try await _ in try await connection.query(query, logger: logger) { found = true }
        return found
    }
}
