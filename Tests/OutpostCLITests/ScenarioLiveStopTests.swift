import Foundation
import OutpostTestSupport
import Testing

/// Stopping a live run: SIGTERM (what `timeout` sends) or SIGINT
/// must not leave its `outpost server` running or its data folder behind.
extension ScenarioLiveTests {
    /// A live command and the signal that stops it.
    struct Stop: Sendable, CustomTestStringConvertible {
        var command: String
        var signal: Int32

        var testDescription: String { "\(command) --live, \(signal == SIGTERM ? "SIGTERM" : "SIGINT")" }

        func arguments(in outpost: Outpost) -> [String] {
            switch command {
            case "fuzz":
                ["scenario", "fuzz", "--live", "--devices", "3", "--steps", "40", "--runs", "100", "--seed", "11",
                 "--out", outpost.directory.appendingPathComponent("failure.yaml").path]
            default:
                // One library file, many times over: the run lasts long enough (minutes) to be
                // caught with its server up even when other tests keep the machine busy.
                ["scenario", "run", "--live"] + Array(repeating: ScenarioCommandTests.library
                    .appendingPathComponent("week-offline-two-devices.yaml").path, count: 40)
            }
        }
    }

    @Test("SIGTERM or SIGINT stops a live run: its server killed, its data folder removed, exit 143 / 130 with a line on stderr",
          .enabled(if: ProcFS.available, "reads /proc"),
          arguments: [Stop(command: "run", signal: SIGTERM), Stop(command: "fuzz", signal: SIGINT)])
    func stopped(_ stop: Stop) async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let running = try await outpost.start(stop.arguments(in: outpost), replica: false)
        let pid = running.processIdentifier

        // Wait until the run's `outpost server` child is up: its pid and its data folder.
        let server = try await eventually("an `outpost server` child") {
            () -> (pid: Int32, folder: String)?? in
            guard running.isRunning else { return .some(nil) }
            for child in ProcFS.children(of: pid) where child.arguments.dropFirst().first == "server" {
                if let flag = child.arguments.firstIndex(of: "--data"), flag + 1 < child.arguments.count {
                    return (child.pid, (child.arguments[flag + 1] as NSString).deletingLastPathComponent)
                }
            }
            return nil
        }
        guard let server else {
            let result = try await running.finish()
            Issue.record("""
                the command ended before an `outpost server` child appeared: \
                \(result.status) \(result.stdout) \(result.stderr)
                """)
            return
        }
        #expect((server.folder as NSString).lastPathComponent.hasPrefix("outpost-live-"), "\(server.folder)")
        #expect(FileManager.default.fileExists(atPath: server.folder))

        running.send(stop.signal)
        guard try await running.exited(within: .seconds(30)) else {
            await running.kill9()
            kill(server.pid, SIGKILL)
            Issue.record("the command did not stop within 30 s")
            return
        }
        let result = try await running.finish()
        #expect(result.status == 128 + stop.signal, "\(result.stdout)\(result.stderr)")
        let name = stop.signal == SIGTERM ? "SIGTERM" : "SIGINT"
        #expect(result.stderr.contains("outpost scenario \(stop.command): stopped by \(name); killed"), "\(result.stderr)")

        // Soon after: no server left, no data folder.
        _ = try? await eventually("the server gone and its data folder removed", timeout: .seconds(5)) {
            !ProcFS.isAlive(server.pid) && !FileManager.default.fileExists(atPath: server.folder)
        }
        #expect(!ProcFS.isAlive(server.pid), "the server \(server.pid) outlived the command")
        #expect(!FileManager.default.fileExists(atPath: server.folder), "\(server.folder) was left behind")
        if ProcFS.isAlive(server.pid) { kill(server.pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: server.folder)
    }
}
