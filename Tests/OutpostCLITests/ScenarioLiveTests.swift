import Foundation
import Testing

/// `outpost scenario run --live`: the library's field stories driven through real processes — a
/// real `outpost server`, real `outpost enroll`, `sync`, `reply`, `draft`… per device, offline as a
/// link that refuses connections, crashes as real SIGKILLs at the named points.
@Suite("outpost scenario run --live")
struct ScenarioLiveTests {
    /// The library's files, and which of them hold a frame fault (refused live without --skip-faults).
    static func library() throws -> (all: [String], withFaults: Set<String>) {
        let names = try FileManager.default.contentsOfDirectory(atPath: ScenarioCommandTests.library.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        let paths = names.map { ScenarioCommandTests.library.appendingPathComponent($0).path }
        let faults = try paths.filter { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return ["drop", "duplicate", "reorder", "delay", "cut"].contains { text.contains("\n  - \($0): ") }
        }
        return (paths, Set(faults))
    }

    @Test("every library scenario without frame faults passes with real processes; the others are refused by name")
    func library() async throws {
        let (all, withFaults) = try Self.library()
        #expect(all.count - withFaults.count >= 25, "the live library is the field stories of issue 6")
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.runPolling(["scenario", "run", "--live", "--trace", "--json"] + all, replica: false)
        #expect(result.status == 1, "the fault files are refused, so the run as a whole fails")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "\(result.stderr)")
        let reports = try #require(object["reports"] as? [[String: Any]])
        let errors = try #require(object["errors"] as? [[String: Any]])

        #expect(Set(errors.compactMap { $0["file"] as? String }) == withFaults)
        #expect(errors.allSatisfy { $0["code"] as? String == "not_live" }, "\(errors)")
        #expect(reports.count == all.count - withFaults.count)
        var traces: [String: String] = [:]
        for report in reports {
            let file = (report["file"] as? String).map { ($0 as NSString).lastPathComponent } ?? "?"
            let failures = report["failures"] as? [[String: Any]] ?? []
            #expect(failures.isEmpty, "\(file): \(failures)")
            #expect(report["live"] as? Bool == true, "\(file)")
            #expect((report["skipped"] as? [String])?.isEmpty == true, "\(file)")
            traces[file] = (report["trace"] as? [String] ?? []).joined(separator: "\n")
        }

        // The named crash points were real kills of real processes, not skipped steps.
        let device = try #require(traces["device-crash-receiving.yaml"])
        #expect(device.contains("sync tablet: KILLED (kill -9) at before-commit"), "\(device)")
        #expect(device.contains("sync tablet: KILLED (kill -9) at after-commit"), "\(device)")
        for (file, point) in [("server-crash-before-commit.yaml", "before-commit"),
                              ("server-crash-after-commit.yaml", "after-commit"),
                              ("server-restart-mid-sync.yaml", "mid-batch")] {
            let trace = try #require(traces[file])
            #expect(trace.contains("server KILLED itself (kill -9) at \(point)"), "\(file): \(trace)")
        }
        // Offline is a link that refuses connections: the device's real sync cannot reach the server.
        let partition = try #require(traces["partition-heals.yaml"])
        #expect(partition.contains("[unreachable]"), "\(partition)")
        // A clock two days ahead is refused by the real server's validation.
        let ahead = try #require(traces["clock-ahead-is-refused.yaml"])
        #expect(ahead.contains("[invalid_op]"), "\(ahead)")
    }

    @Test("a failing expectation fails live too, with step, line, device, expected and actual")
    func failing() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.runPolling(["scenario", "run", "--live", ScenarioCommandTests.failing], replica: false)
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL \(ScenarioCommandTests.failing)"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(", live)"))
        #expect(result.stdout.contains("step 6 (line 22), laptop: expectation failed: thread t: unread"))
    }

    @Test("--skip-faults runs a fault file's other steps and lists what it skipped; it needs --live")
    func skipFaults() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let file = ScenarioCommandTests.library.appendingPathComponent("lost-ack.yaml").path
        let refused = try await outpost.runPolling(["scenario", "run", "--live", file], replica: false)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(file):20: `drop` is a frame fault"), "\(refused.stderr)")
        #expect(refused.stderr.contains("[not_live]"))
        let skipped = try await outpost.runPolling(["scenario", "run", "--live", "--skip-faults", file], replica: false)
        #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
        #expect(skipped.stdout.contains("skipped (no live counterpart): step at line 20: drop on laptop's link"))
        let usage = try await outpost.runPolling(["scenario", "run", "--skip-faults", file], replica: false)
        #expect(usage.status == 64)
    }
}
