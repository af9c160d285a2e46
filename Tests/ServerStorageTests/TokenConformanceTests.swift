import Causality
import InboxModel
import SyncServer
import Testing

/// The API tokens of every ``ServerDirectory``, run against each store (``StoreKind``).
@Suite("API token conformance")
struct TokenConformanceTests {
    let acme = BrandID(rawValue: "acme")!
    let globex = BrandID(rawValue: "globex")!
    let orchard = PartnerID(rawValue: "orchard")!
    let willow = PartnerID(rawValue: "willow")!

    func withBrands<T>(_ kind: StoreKind, _ body: (any ServerDirectory) async throws -> T) async throws -> T {
        try await withDirectory(kind) { directory in
            try await directory.insertBrand(acme, name: "Acme")
            try await directory.insertBrand(globex, name: "Globex")
            return try await body(directory)
        }
    }

    @Test("partner tokens: each speaks for its partner until the partner's tokens are revoked", arguments: StoreKind.all)
    func partnerTokens(kind: StoreKind) async throws {
        try await withBrands(kind) { directory in
            await expect(code: .unknownBrand) {
                _ = try await directory.insertPartnerToken(brand: BrandID(rawValue: "none")!, partner: orchard, name: "ci")
            }
            await expect(code: .invalidArgument) { _ = try await directory.insertPartnerToken(brand: acme, partner: orchard, name: "") }
            let first = try await directory.insertPartnerToken(brand: acme, partner: orchard, name: "shop")
            let second = try await directory.insertPartnerToken(brand: acme, partner: orchard, name: "crm")
            let other = try await directory.insertPartnerToken(brand: acme, partner: willow, name: "shop")
            #expect(Set([first, second, other]).count == 3 && first.count == 43)
            let access = try await directory.partnerAccess(forToken: first)
            #expect(access == PartnerAccess(brand: acme, partner: orchard))
            let unknown = try await directory.partnerAccess(forToken: "x" + first)
            #expect(unknown == nil)

            #expect(try await directory.revokePartnerTokens(brand: acme, partner: orchard) == 2)
            let afterFirst = try await directory.partnerAccess(forToken: first)
            let afterSecond = try await directory.partnerAccess(forToken: second)
            let stillOther = try await directory.partnerAccess(forToken: other)
            #expect(afterFirst == nil && afterSecond == nil)
            #expect(stillOther == PartnerAccess(brand: acme, partner: willow))
            #expect(try await directory.revokePartnerTokens(brand: acme, partner: orchard) == 0)
            await expect(code: .unknownBrand) { try await directory.revokePartnerTokens(brand: BrandID(rawValue: "none")!, partner: orchard) }
        }
    }

    @Test("admin tokens: scoped or server-wide, listed by id, revoked by a unique prefix", arguments: StoreKind.all)
    func adminTokens(kind: StoreKind) async throws {
        try await withBrands(kind) { directory in
            await expect(code: .unknownBrand) { _ = try await directory.makeAdminToken(name: "ops", brand: BrandID(rawValue: "none")!) }
            await expect(code: .invalidArgument) { _ = try await directory.makeAdminToken(name: " ", brand: nil) }
            let wide = try await directory.makeAdminToken(name: "platform", brand: nil)
            let scoped = try await directory.makeAdminToken(name: "acme ops", brand: acme)
            let wideAccess = try #require(try await directory.adminAccess(forToken: wide))
            let scopedAccess = try #require(try await directory.adminAccess(forToken: scoped))
            #expect(wideAccess.reaches(acme) && wideAccess.reaches(globex))
            #expect(scopedAccess.reaches(acme) && !scopedAccess.reaches(globex))
            let nobody = try await directory.adminAccess(forToken: wide + "x")
            #expect(nobody == nil)

            let records = try await directory.adminTokens()
            #expect(records.map(\.name) == ["platform", "acme ops"], "oldest first")
            #expect(records.map(\.brand) == [nil, "acme"])
            #expect(records.allSatisfy { $0.id.count == 16 && $0.id.allSatisfy(\.isHexDigit) && $0.revoked == nil })
            #expect(!records.contains { $0.id == wide || wide.contains($0.id) })

            await expect(code: .invalidArgument) { _ = try await directory.revokeAdminToken(id: "abc", now: 1) }
            await expect(code: .invalidArgument) { _ = try await directory.revokeAdminToken(id: "not-hex-at-all", now: 1) }
            let absent = records[0].id.hasPrefix("00000000") ? "ffffffff" : "00000000"
            await expect(code: .unknownToken) { _ = try await directory.revokeAdminToken(id: absent, now: 1) }

            let revoked = try await directory.revokeAdminToken(id: String(records[0].id.prefix(8)).uppercased(), now: 1_000)
            #expect(revoked.id == records[0].id && revoked.revoked == 1_000)
            let gone = try await directory.adminAccess(forToken: wide)
            let kept = try await directory.adminAccess(forToken: scoped)
            #expect(gone == nil && kept != nil)
            let again = try await directory.revokeAdminToken(id: records[0].id, now: 2_000)
            #expect(again.revoked == 1_000, "revoking twice keeps the first time")
            #expect(try await directory.adminTokens().map(\.revoked) == [1_000, nil])
        }
    }
}
