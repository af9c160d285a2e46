public import Causality
public import Foundation
public import Replica
public import ServerAPI

/// `outpost enroll`'s work: trades a one-time code for this device's identity and token
/// (`POST /v1/enroll`), and creates the device's replica holding them.
public enum EnrollmentClient {
    /// The body of `POST /v1/enroll`.
    struct Request: Encodable {
        var code: String
        var deviceName: String
    }

    /// Asks `server` to enroll this device with `code`.
    public static func enroll(server: String, code: String, deviceName: String,
                              timeout: TimeInterval = 15) async throws(ServerHTTPError) -> Enrollment {
        try await ServerHTTPClient(server: server, token: nil, timeout: timeout)
            .post("/v1/enroll", Request(code: code, deviceName: deviceName), idempotencyKey: nil, as: Enrollment.self)
    }

    /// Creates an enrolled device's replica at `path` with its identity, the server's address and
    /// its token. The file is private (mode 0600) from its first byte, and so are its `-wal` and
    /// `-shm` files, which SQLite creates with the database file's mode.
    @discardableResult
    public static func createReplica(at path: String, enrollment: Enrollment, server: String,
                                     clock: any PhysicalClock = SystemClock()) throws(ReplicaError) -> Replica {
        let identity = ReplicaIdentity(replica: enrollment.replica, brand: enrollment.brand, viewer: enrollment.user)
        let replica = try Replica.create(at: path, identity: identity, clock: clock, fileMode: 0o600)
        try replica.updateSyncState { state in
            state.serverURL = server
            state.token = enrollment.token
            state.serverReplica = enrollment.serverReplica
        }
        return replica
    }
}
