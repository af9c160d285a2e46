import Foundation
import Replica
import Testing

/// A command that must fail: non-zero exit, one line on stderr, nothing changed.
struct BadCommand: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    /// A word the error line must contain (the error code, usually).
    let mentions: String
    /// swift-argument-parser's own validation errors add `Help:`/`Usage:` lines after the error
    /// line; the CLI does not yet turn them into one line (see the known issue below).
    var byArgumentParser = false
    var testDescription: String { "outpost " + arguments.joined(separator: " ") }
}

/// `ID` in the arguments stands for a direct conversation of the demo, `SYSTEM` for a system
/// notification.
let badCommands: [BadCommand] = [
    BadCommand(arguments: ["thread", "1:999999"], mentions: "unknown_conversation"),
    BadCommand(arguments: ["reply", "1:999999", "Hello"], mentions: "unknown_conversation"),
    BadCommand(arguments: ["read", "1:999999"], mentions: "unknown_conversation"),
    BadCommand(arguments: ["unread", "1:999999"], mentions: "unknown_conversation"),
    BadCommand(arguments: ["draft", "1:999999", "text"], mentions: "unknown_conversation"),
    BadCommand(arguments: ["thread", "abc"], mentions: "invalid_argument"),
    BadCommand(arguments: ["reply", "1:0", "Hello"], mentions: "invalid_argument"),
    BadCommand(arguments: ["read", "x:1"], mentions: "invalid_argument"),
    BadCommand(arguments: ["draft", "new:", "text"], mentions: "invalid_argument"),
    BadCommand(arguments: ["reply", "ID", ""], mentions: "invalid_argument"),
    BadCommand(arguments: ["reply", "ID", "   "], mentions: "invalid_argument"),
    BadCommand(arguments: ["reply", "SYSTEM", "Hello"], mentions: "read_only_conversation"),
    BadCommand(arguments: ["partner", "Nobody At All"], mentions: "unknown_partner"),
    BadCommand(arguments: ["inbox", "--partner", "Nobody At All"], mentions: "unknown_partner"),
    BadCommand(arguments: ["compose", "--partner", "Nobody At All", "--subject", "Hi", "Hello"], mentions: "unknown_partner"),
    BadCommand(arguments: ["compose", "--partner", "ID-PARTNER", "--subject", "Hi", ""], mentions: "invalid_argument"),
    BadCommand(arguments: ["draft", "ID", "--discard"], mentions: "no_draft"),
    BadCommand(arguments: ["draft", "ID", "--send"], mentions: "no_draft"),
    BadCommand(arguments: ["demo", "--replica-only", "--messages", "10"], mentions: "replica_exists"),
    BadCommand(arguments: ["partners", "--status", "bogus"], mentions: "bogus", byArgumentParser: true),
    BadCommand(arguments: ["inbox", "--status", "left"], mentions: "left", byArgumentParser: true),
    BadCommand(arguments: ["inbox", "--kind", "email"], mentions: "email", byArgumentParser: true),
    BadCommand(arguments: ["inbox", "--limit", "0"], mentions: "limit", byArgumentParser: true),
    BadCommand(arguments: ["search", ""], mentions: "empty", byArgumentParser: true),
    BadCommand(arguments: ["compose", "--partner", "ID-PARTNER", "--subject", " ", "Hi"], mentions: "subject",
               byArgumentParser: true),
    BadCommand(arguments: ["draft", "ID", "--send", "--discard"], mentions: "at most one", byArgumentParser: true),
]

@Suite("outpost: bad input", .timeLimit(.minutes(5)))
struct CLIBadInputTests {
    @Test("each bad command exits non-zero with a one-line error and changes nothing", arguments: badCommands)
    func refused(command: BadCommand) async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let rows = try await outpost.json([InboxRowJSON].self, ["inbox", "--limit", "100"])
        let direct = try #require(rows.first { $0.kind == "direct" && !$0.hasDraft })
        let system = try #require(rows.first { $0.kind == "system" })
        let arguments = command.arguments.map { argument in
            switch argument {
            case "ID": direct.id
            case "SYSTEM": system.id
            case "ID-PARTNER": direct.partnerID
            default: argument
            }
        }
        let before = try await outpost.info()
        let result = try await outpost.run(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let first = try #require(result.errorLines.first, "nothing on stderr")
        #expect(first.hasPrefix("Error: "))
        #expect(first.contains(command.mentions), "\(first)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.status == (command.byArgumentParser ? 64 : 1), "usage errors exit 64, others 1")
        let after = try await outpost.info()
        #expect(after.digest == before.digest, "the state changed")
        #expect(after.journalOps == before.journalOps)
    }

    @Test("a missing replica file: one-line error, and no file is created")
    func missingReplica() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        for command in [["inbox"], ["thread", "1:1"], ["replica", "info"], ["replica", "verify"], ["partners"]] {
            let result = try await outpost.run(command)
            #expect(result.status != 0)
            #expect(result.errorLines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("replica_not_found"))
            #expect(!FileManager.default.fileExists(atPath: outpost.replicaPath))
        }
        // The same through $OUTPOST_REPLICA's default: HOME points into the temporary directory.
        let result = try await outpost.run(["inbox"], replica: false)
        #expect(result.status != 0 && result.stderr.contains("replica_not_found"))
    }

    @Test("a file that is not a replica: one-line error, file untouched")
    func notAReplica() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let content = Data(String(repeating: "not a database\n", count: 100).utf8)
        try content.write(to: URL(fileURLWithPath: outpost.replicaPath))
        let result = try await outpost.run(["inbox"])
        #expect(result.status != 0)
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not_a_replica"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: outpost.replicaPath)) == content)
    }
}
