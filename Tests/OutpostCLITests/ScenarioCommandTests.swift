import Foundation
import OutpostTestSupport
import Testing

/// `outpost scenario run` and `fuzz` as a CI job sees them: exit status, the report, errors.
@Suite("outpost scenario", .timeLimit(.minutes(5)))
struct ScenarioCommandTests {
    static let library = Repository.url("Protocol/scenarios")

    /// A file whose expectation fails at step 6 (line 22).
    static let failing = library.appendingPathComponent("examples/failing-expectation.yaml").path

    func write(_ text: String, _ name: String, in outpost: Outpost) throws -> String {
        let path = outpost.directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a passing file exits 0")
    func passes() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let file = Self.library.appendingPathComponent("read-here-unread-there.yaml").path
        let result = try await outpost.run(["scenario", "run", file], replica: false)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("PASS "))
    }

    @Test("a failing expectation exits 1 and says step, line, device, expected and actual")
    func fails() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let file = Self.failing
        let result = try await outpost.run(["scenario", "run", file, "--trace"], replica: false)
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL \(file)"))
        #expect(result.stdout.contains("step 6 (line 22), laptop: expectation failed: thread t: unread"))
        #expect(result.stdout.contains("expected: false"))
        #expect(result.stdout.contains("actual:   true"))
        #expect(result.stdout.contains("markUnread"), "the trace shows the ops")
        let json = try await outpost.run(["scenario", "run", file, "--json"], replica: false)
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let reports = try #require(object["reports"] as? [[String: Any]])
        let failure = try #require((reports.first?["failures"] as? [[String: Any]])?.first)
        #expect(failure["step"] as? Int == 6)
        #expect(failure["node"] as? String == "laptop")
    }

    @Test("a bad file exits 1 with file:line and the code; no files is a usage error")
    func badInput() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let text = try String(contentsOfFile: Self.failing, encoding: .utf8)
        let bad = try write(text.replacingOccurrences(of: "unread: false", with: "unread: perhaps"), "bad.yaml",
                            in: outpost)
        let result = try await outpost.run(["scenario", "run", bad], replica: false)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(bad):24: `unread` must be true or false [bad_scenario]"), "\(result.stderr)")
        let missing = try await outpost.run(["scenario", "run", "/nonexistent/x.yaml"], replica: false)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("[unreadable]"))
        #expect(try await outpost.run(["scenario", "run"], replica: false).status == 64)
        #expect(try await outpost.run(["scenario", "fuzz", "--devices", "5-3"], replica: false).status == 64)
        #expect(try await outpost.run(["scenario", "fuzz", "--runs", "0"], replica: false).status == 64)
    }

    @Test("--help on every scenario command", arguments: [["scenario"], ["scenario", "run"], ["scenario", "fuzz"]])
    func help(_ command: [String]) async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.run(command + ["--help"], replica: false)
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    @Test("a short fuzz run passes")
    func fuzz() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let out = outpost.directory.appendingPathComponent("failure.yaml").path
        let result = try await outpost.run(["scenario", "fuzz", "--runs", "3", "--steps", "8", "--seed", "5", "--out", out],
                                     replica: false)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("3 passed, 0 failed"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
