public import Causality
public import InboxModel
public import ServerAPI

/// Who may talk to the server: its brands, their users, the enrolled devices with their token
/// hashes, the one-time enrollment codes (Protocol/SERVER_API.md, "Enrollment"), and the API
/// tokens of partners and admins ("Partner API", "Platform events").
///
/// One of the server's storage protocols (ARCHITECTURE.md, "Server storage"), with two
/// implementations that one conformance suite holds to the same behaviour: ``SQLiteDirectory``
/// (`server.sqlite`, the embedded default) and `PostgresDirectory` (module ServerPostgres). Every
/// method is async and never blocks a thread of Swift's shared pool. Inputs are checked the same
/// way by both (``DirectoryInput``): a refused call changes nothing. Tokens and codes are kept
/// only as SHA-256 hashes. Device ids are small (a short varint in every vector that names the
/// device), allocated by the store, never the server's own id and never reused.
public protocol ServerDirectory: Sendable {
    /// The server's own replica id: the id of every brand log's server ops.
    var serverReplica: ReplicaID { get }

    /// The brand ids, sorted.
    func brands() async throws(ServerError) -> [BrandID]

    /// Whether the brand exists.
    func hasBrand(_ brand: BrandID) async throws(ServerError) -> Bool

    /// The brand's display name, or `nil` for no such brand.
    func brandName(_ brand: BrandID) async throws(ServerError) -> String?

    /// Records a new brand. Fails with `brand_exists` (and records nothing) if it exists.
    func insertBrand(_ brand: BrandID, name: String) async throws(ServerError)

    /// Records a user of a brand. Fails with `unknown_brand` or `user_exists`.
    func insertUser(brand: BrandID, id: UserID, name: String, email: String) async throws(ServerError)

    /// The user's name and email, or `nil` if the brand has no such user.
    func user(brand: BrandID, id: UserID) async throws(ServerError) -> User?

    /// A one-time enrollment code for a user of a brand, valid for `validForMs`; only its hash is
    /// kept. Fails with `unknown_brand` or `unknown_user`.
    func makeEnrollmentCode(brand: BrandID, user: UserID, validForMs: UInt64) async throws(ServerError) -> String

    /// Uses an enrollment code, once: registers a new device and returns its id and token. Fails
    /// with `code_invalid` when the code is unknown, used or expired, `bad_request` for a bad
    /// device name; two uses of one code at once enroll one device.
    func enroll(code: String, deviceName: String) async throws(ServerError) -> Enrollment

    /// The device a bearer token belongs to, or `nil` when the token is unknown or revoked.
    func device(forToken token: String) async throws(ServerError) -> DeviceRecord?

    /// One device by id, revoked or not.
    func device(_ replica: ReplicaID) async throws(ServerError) -> DeviceRecord?

    /// A brand's devices, oldest first. Fails with `unknown_brand`.
    func devices(brand: BrandID) async throws(ServerError) -> [DeviceRecord]

    /// Of `replicas`, those revoked.
    func revoked(among replicas: [ReplicaID]) async throws(ServerError) -> Set<ReplicaID>

    /// Revokes a device of a brand: its token stops working at once. Fails with `unknown_brand`
    /// or `unknown_device`; revoking twice keeps the first time.
    func revoke(brand: BrandID, replica: ReplicaID) async throws(ServerError)

    /// A new partner API token for `partner` of `brand`, shown once; only its hash is kept. The
    /// caller has checked that the brand has the partner (its brand log knows). Fails with
    /// `unknown_brand` or `invalid_argument` (the name).
    func insertPartnerToken(brand: BrandID, partner: PartnerID, name: String) async throws(ServerError) -> String

    /// Revokes every live token of a partner at once; returns how many there were. Fails with
    /// `unknown_brand`.
    @discardableResult
    func revokePartnerTokens(brand: BrandID, partner: PartnerID) async throws(ServerError) -> Int

    /// The partner a live token speaks for, or `nil` for an unknown or revoked token.
    func partnerAccess(forToken token: String) async throws(ServerError) -> PartnerAccess?

    /// A new admin API token reaching `brand` only, or every brand when `nil`; shown once. Fails
    /// with `unknown_brand` or `invalid_argument` (the name).
    func makeAdminToken(name: String, brand: BrandID?) async throws(ServerError) -> String

    /// What a live admin token reaches, or `nil` for an unknown or revoked token.
    func adminAccess(forToken token: String) async throws(ServerError) -> AdminAccess?

    /// Every admin token, live and revoked, oldest first (ids, never the tokens).
    func adminTokens() async throws(ServerError) -> [AdminTokenRecord]

    /// Marks the admin token whose ``AdminTokenRecord/id`` is exactly `id` revoked at `now`, if it
    /// is live; ``revokeAdminToken(id:)`` is what callers use.
    func markAdminTokenRevoked(id: String, now: UInt64) async throws(ServerError)
}

extension ServerDirectory {
    /// Revokes the admin token whose id (or a unique prefix of it of at least 8 characters) is
    /// `id`; it stops working at once. Returns the record as revoked. Fails with
    /// `invalid_argument` (not an id, or a prefix of several) or `unknown_token`.
    public func revokeAdminToken(id: String, now: UInt64) async throws(ServerError) -> AdminTokenRecord {
        let match = try AdminTokenRecord.match(id, in: try await adminTokens())
        try await markAdminTokenRevoked(id: match.id, now: now)
        var revoked = match
        revoked.revoked = match.revoked ?? now
        return revoked
    }
}
