import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutpostTestSupport
import Replica
import Testing

/// Two `outpost server --postgres` processes on one database behave as one server (Protocol/
/// SERVER_API.md, "Running on PostgreSQL"): real processes, a real PostgreSQL (the cluster of
/// Tools/test.sh, `OUTPOST_TEST_POSTGRES_URL`).
@Suite("Two server nodes on one PostgreSQL database", .serialized, .timeLimit(.minutes(5)),
       .enabled(if: ProcessInfo.processInfo.environment["OUTPOST_TEST_POSTGRES_URL"] != nil
                    || ProcessInfo.processInfo.environment["CI"] != nil))
struct MultiNodeProcessTests {
    /// A fresh database on the test cluster, as a URL for `OUTPOST_DATABASE_URL`.
    static func freshDatabase() async throws -> String {
        let maintenance = try #require(ProcessInfo.processInfo.environment["OUTPOST_TEST_POSTGRES_URL"],
                                       "OUTPOST_TEST_POSTGRES_URL: run Tools/test.sh, which starts a PostgreSQL cluster")
        let name = "outpost_nodes_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let created = try await ChildProcess.start(URL(fileURLWithPath: "/usr/bin/psql"),
                                                   [maintenance, "-q", "-c", "CREATE DATABASE \(name)"]).finish()
        #expect(created.status == 0, "\(created.stderr)")
        var components = try #require(URLComponents(string: maintenance))
        components.path = "/" + name
        components.queryItems = [URLQueryItem(name: "sslmode", value: "disable")]
        return try #require(components.string)
    }

    struct Started: Decodable { var conversation: String }

    @Test("a change written through one node reaches a device of the other live; revocation cuts it off on every node; each reply is mailed once")
    func twoNodes() async throws {
        let database = ["OUTPOST_DATABASE_URL": try await Self.freshDatabase()]
        // Node 1 with the brand made through it (admin on the shared database); node 2 beside it.
        // Mail is delivered (each node into its own .eml folder) so that the copies can be counted.
        let node1 = try await ServerProcess.world(environment: database, options: [])
        defer { node1.stop() }
        let node2 = try ServerProcess()
        node2.environment = database
        try await node2.start(options: [])
        defer { node2.stop() }

        let dana = try await node1.enroll("dana"), sam = try await node2.enroll("sam")
        defer { dana.remove(); sam.remove() }
        #expect(try await dana.info().identity.replica != sam.info().identity.replica, "ids from one sequence")
        try await dana.ok(["sync"])
        try await sam.ok(["sync"])

        // Sam stays connected to node 2; Dana writes through node 1.
        let watch = try await sam.start(["sync", "--watch"])
        let thread = try await dana.json(Started.self, ["compose", "--partner", "p1-juniper", "--subject", "Restock",
                                                        "--json", "Can you restock the lanterns?"]).conversation
        try await dana.ok(["sync"])
        try await eventually("Dana's message on Sam's device, pushed by node 2", timeout: .seconds(20)) {
            ((try? await sam.ok(["thread", thread, "--peek"])) ?? "").contains("restock the lanterns")
        }
        for index in 1...3 { try await dana.ok(["reply", thread, "Reply \(index)"]) }
        try await dana.ok(["sync"])
        try await eventually("Dana's replies on Sam's device", timeout: .seconds(20)) {
            ((try? await sam.ok(["thread", thread, "--peek"])) ?? "").contains("Reply 3")
        }

        // Four brand-user messages, each mailed once by whichever node's worker claimed it.
        try await eventually("four .eml files over both nodes", timeout: .seconds(30)) {
            Self.mails(node1) + Self.mails(node2) >= 4
        }
        try await Task.sleep(for: .seconds(2))
        #expect(Self.mails(node1) + Self.mails(node2) == 4, "node 1: \(Self.mails(node1)), node 2: \(Self.mails(node2))")

        // Revoked through an admin command: node 2 ends Sam's live session.
        let replica = try await sam.info().identity.replica.description
        _ = try await node1.adminRun(["revoke", "--brand", "northwind", replica])
        #expect(try await watch.exited(within: .seconds(20)) || !watch.isRunning, "Sam's session on node 2 ended")
        watch.send(SIGTERM)
        let refused = try await sam.run(["sync"])
        #expect(refused.status != 0 && refused.stderr.contains("unauthorized"), "\(refused.stderr)")

        // Both devices agree on every dot (Sam's view of Dana's private ops is redacted).
        try await dana.ok(["sync"])
        #expect(try await dana.ok(["thread", thread, "--peek"]).contains("Reply 3"))
    }

    @Test("/healthz reports the database: ok, then 503 when the database is gone")
    func health() async throws {
        let url = try await Self.freshDatabase()
        let node = try await ServerProcess.world(environment: ["OUTPOST_DATABASE_URL": url])
        defer { node.stop() }
        let (status, body) = try await Self.get(node.url + "/healthz")
        #expect(status == 200 && body.contains(#""database":"ok""#), "\(body)")
        let maintenance = try #require(ProcessInfo.processInfo.environment["OUTPOST_TEST_POSTGRES_URL"])
        let name = try #require(URLComponents(string: url)?.path.dropFirst())
        let dropped = try await ChildProcess.start(URL(fileURLWithPath: "/usr/bin/psql"),
                                                   [maintenance, "-q", "-c", "DROP DATABASE \(name) WITH (FORCE)"]).finish()
        #expect(dropped.status == 0, "\(dropped.stderr)")
        let (downStatus, downBody) = try await Self.get(node.url + "/healthz")
        #expect(downStatus == 503 && downBody.contains(#""status":"unavailable""#), "\(downBody)")
        #expect(!downBody.contains("password"))
    }

    static func get(_ address: String) async throws -> (Int, String) {
        var request = URLRequest(url: try #require(URL(string: address)))
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The `.eml` files a node delivered.
    static func mails(_ node: ServerProcess) -> Int {
        let folder = node.data.appendingPathComponent("outbox-mail").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".eml") }.count
    }
}
