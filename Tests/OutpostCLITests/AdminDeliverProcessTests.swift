import Foundation
import Testing

/// `outpost admin deliver`: one delivery round against a server that holds its mail, through real
/// processes; the device sees the outcome at its next sync.
@Suite("outpost admin deliver", .serialized, .timeLimit(.minutes(5)))
struct AdminDeliverProcessTests {
    struct Summary: Decodable {
        struct Entry: Decodable {
            var message: String
            var messageID: String?
            var to: String?
            var attempt: Int?
            var reason: String?
        }
        var sent: [Entry]
        var failed: [Entry]
        var retrying: [Entry]
    }

    @Test("a held reply is mailed once into the folder; a second round finds nothing owed")
    func deliversHeldReplies() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let device = try await server.enroll("dana")
        defer { device.remove() }
        let token = try await server.adminRun(["partner", "token", "--brand", "northwind", "p1-juniper"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let started = try await server.admin.run(["partner-api", "start", "--server", server.url, "--token", token, "--json",
                                                  "--subject", "Samples", "Did they arrive?"], replica: false)
        #expect(started.status == 0, "\(started.stderr)")
        try await device.ok(["sync"])
        struct Row: Decodable { var id: String }
        let thread = try #require(try await device.json([Row].self, ["inbox"]).first).id
        try await device.ok(["reply", thread, "Yes, on Monday."])
        try await device.ok(["sync"])

        let folder = server.data.appendingPathComponent("mail-out").path
        let first = try await server.adminRun(["deliver", "--mail-dir", folder, "--json"])
        let summary = try JSONDecoder().decode(Summary.self, from: Data(first.utf8))
        let sent = try #require(summary.sent.first)
        #expect(summary.sent.count == 1 && summary.failed.isEmpty && summary.retrying.isEmpty, "\(first)")
        #expect(sent.to == "hello@juniper.example", "\(first)")
        #expect(sent.attempt == 1)
        let name = String(try #require(sent.messageID).prefix { $0 != "@" }) + ".eml"
        let mail = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        #expect(mail.contains("Subject: Re: Samples\r\n") && mail.contains("Yes, on Monday."), "\(mail)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [name])

        let second = try await server.adminRun(["deliver", "--mail-dir", folder])
        #expect(second.contains("0 sent, 0 failed, 0 to retry"), "\(second)")
        try await device.ok(["sync"])
        #expect(try await device.ok(["thread", thread]).contains("sent"))
    }

    @Test("--hold-mail is not an option of this command, which delivers; a bad option is a usage error")
    func options() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let held = try await outpost.run(["admin", "deliver", "--hold-mail", "--data", outpost.directory.path],
                                         replica: false)
        #expect(held.status == 64, "\(held.stderr)")
        #expect(held.stderr.contains("Unknown option '--hold-mail'"), "\(held.stderr)")
        let help = try await outpost.run(["admin", "deliver", "--help"], replica: false)
        #expect(help.status == 0 && help.stdout.contains("[--mail-dir <dir>]") && !help.stdout.contains("[--hold-mail]"),
                "\(help.stdout)")
        let both = try await outpost.run(["admin", "deliver", "--smtp", "127.0.0.1:25", "--mail-dir", "x", "--data",
                                          outpost.directory.path], replica: false)
        #expect(both.status == 64 && both.stderr.contains("--smtp and --mail-dir exclude each other"), "\(both.stderr)")
    }
}
