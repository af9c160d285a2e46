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
            throw ServerError("unknown_partner", "brand \(brand) has no partner \(partner)", status: 404)
        }
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO partner_tokens (token_hash, brand, partner, name, created) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [Secrets.hash(token), brand.rawValue, partner.rawValue, name, Int64(now)])
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
                    """, arguments: [Int64(now), brand.rawValue, partner.rawValue])
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

    /// A new admin API token (for `POST /v1/admin/events`); only its hash is kept.
    public func makeAdminToken(name: String) throws(ServerError) -> String {
        try requireName(name)
        let token = Secrets.newToken()
        let now = clock.nowMilliseconds()
        try wrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO admin_tokens (token_hash, name, created) VALUES (?, ?, ?)",
                               arguments: [Secrets.hash(token), name, Int64(now)])
            }
        }
        return token
    }

    /// Whether `token` is a live admin token.
    public func isAdminToken(_ token: String) throws(ServerError) -> Bool {
        let hash = Secrets.hash(token)
        return try wrap {
            try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM admin_tokens WHERE token_hash = ? AND revoked IS NULL",
                                  arguments: [hash]) ?? false
            }
        }
    }
}
