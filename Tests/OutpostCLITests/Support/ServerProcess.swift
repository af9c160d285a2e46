import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutpostTestSupport
import Replica
import Testing

/// A real `outpost server` process on loopback, and real `outpost` device processes against it.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns this value.
    let data: URL
    /// A random port below the kernel's ephemeral range (so no outgoing connection takes it as its
    /// local port); before the first successful start it moves if the server cannot listen there.
    private(set) var port: Int
    private var startedOnce = false
    private var process: ChildProcess?
    /// The options of the last start: a restart without options reuses them.
    private var options: [String] = []
    let admin: Outpost
    /// Added to the environment of every start and admin command (`OUTPOST_DATABASE_URL` for a
    /// node on PostgreSQL).
    var environment: [String: String] = [:]

    init() throws {
        admin = try Outpost()
        data = admin.directory.appendingPathComponent("server-data")
        port = Int.random(in: 20_000...32_000)
    }

    /// A server with brand `northwind`, its users `dana` and `sam` and the partner `p1-juniper`,
    /// started with mail held: deliveries would change the brand replica in the background, and
    /// the tests that use this world compare replicas.
    static func world(environment: [String: String] = [:], options: [String] = ["--hold-mail"]) async throws -> ServerProcess {
        let server = try ServerProcess()
        server.environment = environment
        _ = try await server.adminRun(["brand", "add", "northwind", "--name", "Northwind Outfitters"])
        for user in ["dana", "sam"] {
            _ = try await server.adminRun(["user", "add", "--brand", "northwind", user, "--name", user.capitalized,
                                     "--email", "\(user)@northwind.example"])
        }
        _ = try await server.adminRun(["partner", "add", "--brand", "northwind", "p1-juniper", "--name", "Juniper & Oak",
                                 "--email", "hello@juniper.example", "--status", "active"])
        try await server.start(options: options)
        return server
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The brand's replica file in the server's data directory.
    var brandReplicaPath: String { data.appendingPathComponent("brands/northwind.sqlite").path }

    /// Whether the server process is running.
    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts `outpost server` with `options` beyond data and port (`nil`: those of the last start)
    /// and `environment` added to its own (this start only), and waits until it answers.
    func start(options: [String]? = nil, environment: [String: String] = [:]) async throws {
        if let options { self.options = options }
        for _ in 1...5 {
            let process = try await admin.start(["server", "--data", data.path, "--port", "\(port)"] + self.options,
                                                replica: false, environment: self.environment.merging(environment) { $1 })
            self.process = process
            let url = self.url
            try await eventually("the server answering on \(url), or its exit") {
                await ServerProbe.healthy(url) || !process.isRunning
            }
            if process.isRunning {
                startedOnce = true
                return
            }
            // Ports 20000–32000 lie below the kernel's ephemeral range, but another test's server may
            // have drawn the same one. Before anything knows the address, move to another port.
            let result = try await process.finish()
            self.process = nil
            guard !startedOnce, result.stderr.contains("ddress already in use") else {
                Issue.record("the server exited at start: \(result.stderr)")
                return
            }
            port = Int.random(in: 20_000...32_000)
        }
        Issue.record("the server did not come up on \(url)")
    }

    /// kill -9: no shutdown code runs.
    func kill9() async {
        await process?.kill9()
        process = nil
    }

    /// Waits for a server that kills itself (an armed failpoint) to be gone, and returns what it
    /// wrote; `nil` if it is still running after `timeout` (or none runs).
    func ended(within timeout: Duration) async throws -> RunResult? {
        guard let process, try await process.exited(within: timeout) else { return nil }
        self.process = nil
        return try await process.finish()
    }

    /// SIGTERM, then waits for the exit.
    func stopAndWait() async {
        guard let process else { return }
        process.send(SIGTERM)
        _ = try? await process.finish()
        self.process = nil
    }

    /// SIGTERM without waiting: for `defer`, at the end of a test.
    func stop() {
        process?.send(SIGTERM)
        process = nil
    }

    func adminRun(_ arguments: [String]) async throws -> String {
        let result = try await admin.run(["admin", "--data", data.path] + arguments, replica: false, environment: environment)
        #expect(result.status == 0, "admin \(arguments): \(result.stderr)")
        return result.stdout
    }

    /// A new device of `user`, enrolled with a fresh one-time code.
    func enroll(_ user: String) async throws -> Outpost {
        let code = try await adminRun(["enroll-code", "--brand", "northwind", "--user", user])
            .split(separator: "\n").last.map(String.init) ?? ""
        let device = try Outpost()
        try await device.ok(["enroll", "--server", url, "--code", code, "--name", "test device"])
        return device
    }
}

enum ServerProbe {
    static func healthy(_ base: String) async -> Bool {
        guard let url = URL(string: base + "/healthz") else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        return (try? await URLSession.shared.data(for: request)).map { ($0.1 as? HTTPURLResponse)?.statusCode == 200 }
            ?? false
    }
}
