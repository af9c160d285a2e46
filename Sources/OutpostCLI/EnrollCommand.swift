import ArgumentParser
import Foundation
import InboxModel
import Replica
import SyncClient

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

    func run() async throws {
        let path = replicaOptions.path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CLIError("a replica already exists at \(path); enroll into another --replica path",
                           code: .alreadyExists)
        }
        let server = server, code = code, name = name
        let enrollment = try await http { () async throws(ServerHTTPError) in
            try await EnrollmentClient.enroll(server: server, code: code, deviceName: name)
        }
        _ = try cli { try EnrollmentClient.createReplica(at: path, enrollment: enrollment, server: server) }
        if json {
            return try Output.json(["replica": enrollment.replica.description, "brand": enrollment.brand.rawValue,
                                    "user": enrollment.user.rawValue, "path": path])
        }
        print("Enrolled device \(enrollment.replica) for \(enrollment.user) at \(enrollment.brand).")
        print("Run `outpost sync` to fetch the inbox.")
    }
}
