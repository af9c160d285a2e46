import Foundation
import Replica
import Testing

/// `outpost reply|compose|draft … -`: a text from standard input reaches the replica byte for
/// byte, trailing newlines included; bytes that are not UTF-8 are refused.
@Suite("Texts from standard input", .timeLimit(.minutes(5)))
struct StandardInputTests {
    @Test("reply, draft and compose with - store standard input exactly, every trailing newline included")
    func exact() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let rows = try await outpost.json([InboxRowJSON].self, ["inbox", "--kind", "direct", "--limit", "5"])
        let target = try #require(rows.first).id

        _ = try await outpost.ok(["reply", target, "-"], stdin: "hello\n\n")
        var view = try await outpost.json(ThreadView.self, ["thread", target, "--peek"])
        #expect(view.messages.last?.body == "hello\n\n")

        _ = try await outpost.ok(["reply", target, "-"], stdin: "no newline")
        view = try await outpost.json(ThreadView.self, ["thread", target, "--peek"])
        #expect(view.messages.last?.body == "no newline")

        // Carriage returns, a byte order mark and a tab at the end are kept too.
        _ = try await outpost.ok(["reply", target, "-"], stdin: "\u{FEFF}first\r\nsecond\t\r\n")
        view = try await outpost.json(ThreadView.self, ["thread", target, "--peek"])
        #expect(view.messages.last?.body == "\u{FEFF}first\r\nsecond\t\r\n")

        _ = try await outpost.ok(["draft", target, "-"], stdin: "a draft\n")
        #expect(try await outpost.json(DraftView.self, ["draft", target]).text == "a draft\n")

        let partner = try #require(try await outpost.json([PartnerSummary].self, ["partners", "--status", "active"]).first)
        let output = try await outpost.ok(["compose", "--partner", partner.partner.id.rawValue, "--subject", "Winter",
                                     "--json", "-"], stdin: "Line one\nLine two\n\n")
        let started = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
        let conversation = try #require(started["conversation"])
        view = try await outpost.json(ThreadView.self, ["thread", conversation, "--peek"])
        #expect(view.messages.map(\.body) == ["Line one\nLine two\n\n"])
    }

    @Test("standard input that is not UTF-8 is refused with a clear error, and nothing is saved")
    func notUTF8() async throws {
        let outpost = try await Outpost.withDemo()
        defer { outpost.remove() }
        let target = try #require(try await outpost.json([InboxRowJSON].self, ["inbox", "--kind", "direct", "--limit", "1"]).first).id
        let before = try await outpost.info().journalOps
        let result = try await outpost.run(["reply", target, "-"], stdinBytes: Data([0x68, 0x69, 0xFF, 0x0A]))
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1 && result.stderr.contains("standard input is not UTF-8"), "\(result.stderr)")
        #expect(try await outpost.info().journalOps == before)
    }

    @Test("each command's help says how - reads standard input", arguments: ["reply", "compose", "draft"])
    func help(command: String) async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.run([command, "--help"], replica: false)
        #expect(result.status == 0)
        let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("- to read it from standard input, taken exactly as given (trailing newlines included; UTF-8)"),
                "\(result.stdout)")
    }
}
