import Foundation
import Testing

/// `outpost scenario run --live`: the library's field stories driven through real processes — a
/// real `outpost server`, real `outpost enroll`, `sync`, `reply`, `draft`… per device, offline as a
/// link that refuses connections, crashes as real SIGKILLs at the named points, frame faults on the
/// WebSocket frames in the device's relay.
// Serialized: each test runs hundreds of `outpost` processes one after another; side by side they
// would take both cores from the rest of the suite.
@Suite("outpost scenario run --live", .serialized, .timeLimit(.minutes(8)))
struct ScenarioLiveTests {
    /// The library files whose traces this suite checks: every crash point (by batch number and
    /// share too, and after an action), offline, a clock ahead, every frame fault, a device
    /// enrolled months later, and mail delivery. (Tools/test.sh runs the whole
    /// library live after `swift test`, on its own, so that hundreds of processes do not compete
    /// with the timing-sensitive tests of the parallel run.)
    static let files = [
        "device-crash-receiving", "server-crash-before-commit", "server-crash-after-commit", "server-restart-mid-sync",
        "partition-heals", "clock-ahead-is-refused", "new-device-after-months", "lost-ack", "duplicated-batch",
        "reordered-frames", "connection-cut-mid-push", "delayed-frame", "device-crash-after-local-commit",
        "first-sync-crash-points", "delivery-twin-replies-mailed-once", "delivery-partner-left-while-queued",
    ]

    @Test("library scenarios pass with real processes; crashes, offline links and frame faults are real")
    func library() async throws {
        let all = Self.files.map { ScenarioCommandTests.library.appendingPathComponent("\($0).yaml").path }
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.run(["scenario", "run", "--live", "--trace", "--json"] + all, replica: false)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "\(result.stderr)")
        let reports = try #require(object["reports"] as? [[String: Any]])
        #expect((object["errors"] as? [Any])?.isEmpty == true, "\(object["errors"] ?? "")")
        #expect(reports.count == all.count)
        var traces: [String: String] = [:]
        for report in reports {
            let file = (report["file"] as? String).map { ($0 as NSString).lastPathComponent } ?? "?"
            let failures = report["failures"] as? [[String: Any]] ?? []
            #expect(failures.isEmpty, "\(file): \(failures)")
            #expect(report["live"] as? Bool == true, "\(file)")
            traces[file] = (report["trace"] as? [String] ?? []).joined(separator: "\n")
        }

        // The named crash points were real kills of real processes.
        let device = try #require(traces["device-crash-receiving.yaml"])
        #expect(device.contains("sync tablet: KILLED (kill -9) at before-commit"), "\(device)")
        #expect(device.contains("sync tablet: KILLED (kill -9) at after-commit"), "\(device)")
        for (file, point) in [("server-crash-before-commit.yaml", "before-commit"),
                              ("server-crash-after-commit.yaml", "after-commit"),
                              ("server-restart-mid-sync.yaml", "mid-batch")] {
            let trace = try #require(traces[file])
            #expect(trace.contains("server KILLED itself (kill -9) at \(point)"), "\(file): \(trace)")
        }
        // A crash point placed by batch number or by share of the session, and right after an action.
        let firstSync = try #require(traces["first-sync-crash-points.yaml"])
        #expect(firstSync.contains("sync phone: KILLED (kill -9) at mid-batch@50%"), "\(firstSync)")
        #expect(firstSync.contains("sync phone: KILLED (kill -9) at after-commit@2"), "\(firstSync)")
        #expect(firstSync.contains("phone KILLED (kill -9) right after its action committed"), "\(firstSync)")
        let local = try #require(traces["device-crash-after-local-commit.yaml"])
        #expect(local.contains("laptop KILLED (kill -9) right after its action committed"), "\(local)")
        // Delivery is the real worker's round (`outpost admin deliver`) writing real mail files.
        let twin = try #require(traces["delivery-twin-replies-mailed-once.yaml"])
        #expect(twin.contains("server delivers (outpost admin deliver): "), "\(twin)")
        #expect(twin.components(separatedBy: " sent to p1@example.com <").count == 3, "\(twin)")
        let left = try #require(traces["delivery-partner-left-while-queued.yaml"])
        #expect(left.contains("failed: not delivered: the partner has left the platform"), "\(left)")
        // Offline is a link that refuses connections: the device's real sync cannot reach the server.
        let partition = try #require(traces["partition-heals.yaml"])
        #expect(partition.contains("[unreachable]"), "\(partition)")
        // A clock two days ahead is refused by the real server's validation.
        let ahead = try #require(traces["clock-ahead-is-refused.yaml"])
        #expect(ahead.contains("[invalid_op]"), "\(ahead)")
        // Every frame fault met a real WebSocket frame of the kind it names.
        for (file, applied) in [("lost-ack.yaml", "link of laptop: drop ack frame down"),
                                ("duplicated-batch.yaml", "link of laptop: duplicate ops frame up"),
                                ("reordered-frames.yaml", "link of laptop: reorder ops frame down"),
                                ("connection-cut-mid-push.yaml", "link of laptop: cut ops frame up"),
                                ("delayed-frame.yaml", "link of tablet: delay welcome frame down"),
                                // Either way: the file delays the first ops frame in both directions, and
                                // which of the tablet's empty batch up and the server's batch down comes
                                // first is a race.
                                ("delayed-frame.yaml", "link of tablet: delay ops frame ")] {
            let trace = try #require(traces[file])
            #expect(trace.contains(applied), "\(file): \(trace)")
        }
    }

    @Test("a failing expectation fails live too, with step, line, device, expected and actual")
    func failing() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let result = try await outpost.run(["scenario", "run", "--live", ScenarioCommandTests.failing], replica: false)
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL \(ScenarioCommandTests.failing)"), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(", live)"))
        #expect(result.stdout.contains("step 6 (line 22), laptop: expectation failed: thread t: unread"))
    }

    @Test("scenario fuzz --live: random scenarios of 3–5 devices, crashes, faults and skewed clocks included, hold with real processes")
    func fuzz() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let out = outpost.directory.appendingPathComponent("failure.yaml").path
        let result = try await outpost.run(["scenario", "fuzz", "--live", "--devices", "3-5", "--steps", "12",
                                                   "--runs", "3", "--seed", "20271127", "--out", out, "--json"],
                                                  replica: false)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["runs"] as? Int == 3)
        #expect(summary["passed"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: out), "nothing failed, so nothing was written")
    }
}
