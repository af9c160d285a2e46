public import InboxModel
package import Foundation
import GRDB

/// Who a partner API token speaks for: one partner of one brand.
public struct PartnerAccess: Hashable, Sendable {
    public var brand: BrandID
    public var partner: PartnerID

    public init(brand: BrandID, partner: PartnerID) {
        self.brand = brand
        self.partner = partner
    }
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
        if let shared {
            return try onShared(shared) { directory throws(ServerError) in
                try await directory.insertPartnerToken(brand: brand, partner: partner, name: name)
            }
        }
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try SQLiteDirectory.insertPartnerToken(hash: Secrets.hash(token), brand: brand, partner: partner, name: name,
                                                       now: now, db)
            }
        }
        return token
    }

    /// Revokes every token of a partner at once; returns how many were live.
    @discardableResult
    public func revokePartnerTokens(brand: BrandID, partner: PartnerID) throws(ServerError) -> Int {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.revokePartnerTokens(brand: brand, partner: partner) } }
        let now = clock.nowMilliseconds()
        return try wrap {
            try pool.write { db in try SQLiteDirectory.revokePartnerTokens(brand: brand, partner: partner, now: now, db) }
        }
    }

    /// The partner a live token speaks for, or `nil` for an unknown or revoked token.
    public func partnerAccess(forToken token: String) throws(ServerError) -> PartnerAccess? {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.partnerAccess(forToken: token) } }
        let hash = Secrets.hash(token)
        return try wrap { try pool.read { db in try SQLiteDirectory.partnerAccess(tokenHash: hash, db) } }
    }

    /// A new admin API token (for `POST /v1/admin/events`); only its hash is kept. With a `brand`
    /// the token reaches that brand only; `nil` makes a server-wide token, for every brand.
    public func makeAdminToken(name: String, brand: BrandID?) throws(ServerError) -> String {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.makeAdminToken(name: name, brand: brand) } }
        try requireName(name)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try SQLiteDirectory.insertAdminToken(hash: Secrets.hash(token), name: name, brand: brand, now: now, db)
            }
        }
        return token
    }

    /// What a live admin token reaches, or `nil` for an unknown or revoked token.
    public func adminAccess(forToken token: String) throws(ServerError) -> AdminAccess? {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.adminAccess(forToken: token) } }
        let hash = Secrets.hash(token)
        return try wrap { try pool.read { db in try SQLiteDirectory.adminAccess(tokenHash: hash, db) } }
    }

    /// Every admin token, live and revoked, oldest first (never the tokens themselves).
    public func adminTokens() throws(ServerError) -> [AdminTokenRecord] {
        if let shared { return try onShared(shared) { directory throws(ServerError) in try await directory.adminTokens() } }
        return try wrap { try pool.read(SQLiteDirectory.adminTokens) }
    }

    /// Revokes the admin token whose id (``AdminTokenRecord/id``, or a unique prefix of it of at
    /// least 8 characters) is `id`; it stops working at once. Returns the record as revoked.
    public func revokeAdminToken(id: String) throws(ServerError) -> AdminTokenRecord {
        if let shared {
            let now = clock.nowMilliseconds()
            return try onShared(shared) { directory throws(ServerError) in try await directory.revokeAdminToken(id: id, now: now) }
        }
        let match = try AdminTokenRecord.match(id, in: try adminTokens())
        let now = clock.nowMilliseconds()
        try wrap { try pool.write { db in try SQLiteDirectory.markAdminTokenRevoked(id: match.id, now: now, db) } }
        var revoked = match
        revoked.revoked = match.revoked ?? now
        return revoked
    }
}

/// What an admin token reaches: one brand, or every brand (`brand == nil`).
public struct AdminAccess: Hashable, Sendable {
    public var brand: BrandID?

    public init(brand: BrandID?) { self.brand = brand }

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

    public init(id: String, name: String, brand: String?, created: UInt64, revoked: UInt64?) {
        self.id = id
        self.name = name
        self.brand = brand
        self.created = created
        self.revoked = revoked
    }

    /// The one record that `id` (a whole id or a prefix of at least 8 of its characters) names.
    static func match(_ id: String, in records: [AdminTokenRecord]) throws(ServerError) -> AdminTokenRecord {
        let prefix = id.lowercased()
        guard prefix.count >= 8, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
            throw ServerError(.invalidArgument, "a token id is 8 to 64 hexadecimal characters (see `outpost admin token list`)")
        }
        let matches = records.filter { $0.id.hasPrefix(prefix) }
        guard let match = matches.first else { throw ServerError(.unknownToken, "no admin token has the id \(id)") }
        guard matches.count == 1 else { throw ServerError(.invalidArgument, "\(id) names several tokens; give more of it") }
        return match
    }

    package static func id(hash: Data) -> String {
        hash.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
