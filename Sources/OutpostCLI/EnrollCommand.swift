import ArgumentParser
import Causality
import Foundation
import InboxModel
import Replica
import SyncClient
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll this device with a server, using a one-time code from `outpost admin enroll-code`.",
        discussion: """
            Creates this device's replica (at --replica, $OUTPOST_REPLICA or the default path) with the replica \
            id the server assigns, and keeps the server's address and this device's token in it (file mode \
            0600). Then `outpost sync` fetches the inbox.
            """)

    @OptionGroup var replicaOptions: ReplicaOptions

    @Option(name: .long, help: ArgumentHelp("The server's address, e.g. http://127.0.0.1:8750.", valueName: "url"))
    var server: String

    @Option(name: .long, help: "The one-time enrollment code.")
    var code: String

    @Option(name: .long, help: "A name for this device, shown to admins.")
    var name: String = ProcessInfo.processInfo.hostName

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--server must be an http:// or https:// address")
        }
        guard !code.allSatisfy(\.isWhitespace) else { throw ValidationError("--code is empty") }
        guard (1...100).contains(name.count) else { throw ValidationError("--name must be 1–100 characters") }
    }

    struct Response: Codable {
        var replica: String
        var token: String
        var brand: String
        var user: String
        var serverReplica: String
    }

    func run() async throws {
        let path = replicaOptions.path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CLIError("a replica already exists at \(path); enroll into another --replica path",
                           code: "replica_exists")
        }
        let response = try await Self.enroll(server: server, code: code, deviceName: name)
        guard let replicaID = ReplicaID(text: response.replica), let brand = BrandID(rawValue: response.brand),
              let user = UserID(rawValue: response.user)
        else { throw CLIError("the server's answer has invalid ids", code: "bad_response") }
        try Self.createReplica(at: path, identity: ReplicaIdentity(replica: replicaID, brand: brand, viewer: user),
                               server: server, token: response.token,
                               serverReplica: ReplicaID(text: response.serverReplica))
        if json {
            return try Output.json(["replica": response.replica, "brand": response.brand, "user": response.user,
                                    "path": path])
        }
        print("Enrolled device \(response.replica) for \(response.user) at \(response.brand).")
        print("Run `outpost sync` to fetch the inbox.")
    }

    static func enroll(server: String, code: String, deviceName: String) async throws(CLIError) -> Response {
        try await ServerHTTPClient(server: server, token: nil, timeout: 15)
            .post("/v1/enroll", ["code": code, "deviceName": deviceName], idempotencyKey: nil, as: Response.self)
    }

    /// Creates an enrolled device's replica at `path`: its identity, the server's address and its
    /// token (file mode 0600).
    @discardableResult
    static func createReplica(at path: String, identity: ReplicaIdentity, server: String, token: String,
                              serverReplica: ReplicaID?) throws(CLIError) -> Replica {
        let replica = try cli { try Replica.create(at: path, identity: identity, clock: SystemClock.process) }
        try cli {
            try replica.updateSyncState { state in
                state.serverURL = server
                state.token = token
                state.serverReplica = serverReplica
            }
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return replica
    }
}
