public import Causality
public import InboxModel
public import ServerAPI

/// Who may talk to the server: its brands, their users, the enrolled devices with their token
/// hashes, and the one-time enrollment codes (Protocol/SERVER_API.md, "Enrollment").
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
}
