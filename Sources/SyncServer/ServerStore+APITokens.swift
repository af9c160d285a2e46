public import InboxModel
import Foundation
import GRDB

/// Who a partner API token speaks for: one partner of one brand.
public struct PartnerAccess: Hashable, Sendable {
    public var brand: BrandID
    public var partner: PartnerID
}

extension ServerStore {
    /// A new partner API token for `partner` of `brand` (Protocol/SERVER_API.md, "Partner API").
    /// Only its hash is kept; the token itself is shown once.
    public func makePartnerToken(brand: BrandID, partner: PartnerID, name: String) throws(ServerError) -> String {
        try requireBrand(brand)
        try requireName(name)
        let replica = try brandReplica(brand)
        guard try self.partner(partner, in: replica) != nil else {
            throw ServerError(.unknownPartner, "brand \(brand) has no partner \(partner)")
        }
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO partner_tokens (token_hash, brand, partner, name, created) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [Secrets.hash(token), brand.rawValue, partner.rawValue, name, Int64(clamping: now)])
            }
        }
        return token
    }

    /// Revokes every token of a partner at once; returns how many were live.
    @discardableResult
    public func revokePartnerTokens(brand: BrandID, partner: PartnerID) throws(ServerError) -> Int {
        try requireBrand(brand)
        let now = clock.nowMilliseconds()
        return try wrap {
            try pool.write { db in
                try db.execute(sql: """
                    UPDATE partner_tokens SET revoked = ? WHERE brand = ? AND partner = ? AND revoked IS NULL
                    """, arguments: [Int64(clamping: now), brand.rawValue, partner.rawValue])
                return db.changesCount
            }
        }
    }

    /// The partner a live token speaks for, or `nil` for an unknown or revoked token.
    public func partnerAccess(forToken token: String) throws(ServerError) -> PartnerAccess? {
        let hash = Secrets.hash(token)
        return try wrap {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT brand, partner FROM partner_tokens WHERE token_hash = ? AND revoked IS NULL
                    """, arguments: [hash]),
                    let brand = BrandID(rawValue: row[0]), let partner = PartnerID(rawValue: row[1])
                else { return nil }
                return PartnerAccess(brand: brand, partner: partner)
            }
        }
    }

    /// A new admin API token (for `POST /v1/admin/events`); only its hash is kept. With a `brand`
    /// the token reaches that brand only; `nil` makes a server-wide token, for every brand.
    public func makeAdminToken(name: String, brand: BrandID?) throws(ServerError) -> String {
        try requireName(name)
        if let brand { try requireBrand(brand) }
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO admin_tokens (token_hash, name, created, brand) VALUES (?, ?, ?, ?)",
                               arguments: [Secrets.hash(token), name, Int64(clamping: now), brand?.rawValue])
            }
        }
        return token
    }

    /// What a live admin token reaches, or `nil` for an unknown or revoked token.
    public func adminAccess(forToken token: String) throws(ServerError) -> AdminAccess? {
        let hash = Secrets.hash(token)
        return try wrap {
            try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT brand FROM admin_tokens WHERE token_hash = ? AND revoked IS NULL",
                                                 arguments: [hash]) else { return nil }
                let brand: String? = row[0]
                return AdminAccess(brand: brand.flatMap { BrandID(rawValue: $0) })
            }
        }
    }

    /// Every admin token, live and revoked, oldest first (never the tokens themselves).
    public func adminTokens() throws(ServerError) -> [AdminTokenRecord] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT token_hash, name, brand, created, revoked FROM admin_tokens ORDER BY created, rowid")
                    .map { row in
                        let hash: Data = row[0]
                        let brand: String? = row[2]
                        let revoked: Int64? = row[4]
                        return AdminTokenRecord(id: AdminTokenRecord.id(hash: hash), name: row[1], brand: brand,
                                                created: UInt64(clamping: row[3] as Int64),
                                                revoked: revoked.map { UInt64(clamping: $0) })
                    }
            }
        }
    }

    /// Revokes the admin token whose id (``AdminTokenRecord/id``, or a unique prefix of it of at
    /// least 8 characters) is `id`; it stops working at once. Returns the record as revoked.
    public func revokeAdminToken(id: String) throws(ServerError) -> AdminTokenRecord {
        let prefix = id.lowercased()
        guard prefix.count >= 8, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
            throw ServerError(.invalidArgument, "a token id is 8 to 64 hexadecimal characters (see `outpost admin token list`)")
        }
        let matches = try adminTokens().filter { $0.id.hasPrefix(prefix) }
        guard let match = matches.first else {
            throw ServerError(.unknownToken, "no admin token has the id \(id)")
        }
        guard matches.count == 1 else { throw ServerError(.invalidArgument, "\(id) names several tokens; give more of it") }
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                for row in try Row.fetchAll(db, sql: "SELECT token_hash FROM admin_tokens WHERE revoked IS NULL") {
                    let hash: Data = row[0]
                    if AdminTokenRecord.id(hash: hash) == match.id {
                        try db.execute(sql: "UPDATE admin_tokens SET revoked = ? WHERE token_hash = ?",
                                       arguments: [Int64(clamping: now), hash])
                    }
                }
            }
        }
        var revoked = match
        revoked.revoked = match.revoked ?? now
        return revoked
    }
}

/// What an admin token reaches: one brand, or every brand (`brand == nil`).
public struct AdminAccess: Hashable, Sendable {
    public var brand: BrandID?

    /// Whether the token may act for `brand`.
    public func reaches(_ brand: BrandID) -> Bool { self.brand == nil || self.brand == brand }
}

/// An admin token as admins see it: never the token, only an id derived from its hash.
public struct AdminTokenRecord: Hashable, Sendable, Codable {
    /// The first 16 hexadecimal characters of the token's SHA-256 hash: stable, and useless for
    /// signing in.
    public var id: String
    public var name: String
    /// The brand it reaches, or `nil` for every brand.
    public var brand: String?
    public var created: UInt64
    public var revoked: UInt64?

    static func id(hash: Data) -> String {
        hash.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
