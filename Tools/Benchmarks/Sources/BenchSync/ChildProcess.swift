import BenchSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Child processes of the sync benchmarks: the `outpost` binary built beside `bench-sync`.
enum ChildProcess {
    /// `outpost`, from the same build folder as this executable (`Tools/benchmark.sh` builds both).
    static var outpost: String {
        get throws(BenchError) {
            let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent()
            let path = folder.appendingPathComponent("outpost").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw BenchError("no outpost binary at \(path): build it with `swift build -c release --product outpost`")
            }
            return path
        }
    }

    /// Runs `outpost arguments` to the end and returns its standard output; fails on a non-zero exit.
    @discardableResult
    static func run(_ arguments: [String]) throws(BenchError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try outpost)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw BenchError("outpost \(arguments.first ?? ""): \(error)") }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("outpost \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                + String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// Enrolls a new device of `user` of the demo brand at `replica`, through the real CLI: a
    /// one-time code from `outpost admin enroll-code`, then `outpost enroll`.
    static func enroll(user: String, data: String, server: String, replica: String) throws(BenchError) {
        let code = try run(["admin", "--data", data, "enroll-code", "--brand", "northwind", "--user", user])
            .split(separator: "\n").last.map(String.init) ?? ""
        try run(["enroll", "--server", server, "--code", code, "--name", "bench", "--replica", replica])
    }

    /// What one measured child run cost: wall time and the child's own peak resident memory.
    struct Measured {
        var seconds: Double
        var peakRSSBytes: Int
    }

    /// Runs `outpost arguments` with its output discarded, timing it and taking its peak resident
    /// set size from `wait4`, through a fresh `bench-sync measure-child` process.
    ///
    /// Why the middle process: Linux starts a process's `ru_maxrss` at exec from the high-water
    /// mark of the memory it replaces, and a child spawned straight from this process would
    /// inherit this process's peak (hundreds of MB once the baseline's rows are loaded). A freshly
    /// started `bench-sync` is small, so what its child reports is the child's own peak.
    static func measure(_ arguments: [String]) throws(BenchError) -> Measured {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = ["measure-child"] + arguments
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch { throw BenchError("measure-child: \(error)") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(separator: " ")
        guard process.terminationStatus == 0, fields.count == 2, let seconds = Double(fields[0]),
              let rss = Int(fields[1].trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("outpost \(arguments.joined(separator: " ")) failed: \(text)") }
        return Measured(seconds: seconds, peakRSSBytes: rss)
    }

    /// `bench-sync measure-child ARGS`: runs `outpost ARGS` and prints its seconds and peak bytes.
    static func measureChild(_ arguments: [String]) throws(BenchError) {
        let measured = try spawnAndWait(arguments)
        print("\(measured.seconds) \(measured.peakRSSBytes)")
    }

    private static func spawnAndWait(_ arguments: [String]) throws(BenchError) -> Measured {
        let path = try outpost
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("posix_spawn outpost: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw BenchError("wait4: \(errno)") }
        let elapsed = ContinuousClock.now - start
        // WIFEXITED and WEXITSTATUS are macros Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchError("outpost \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        return Measured(seconds: elapsed.seconds, peakRSSBytes: usage.ru_maxrss * 1024)
    }
}

/// A real `outpost server` on loopback, stopped with SIGTERM.
final class ServerChild {
    let port: Int
    private let process: Process

    init(data: String) throws(BenchError) {
        port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ChildProcess.outpost)
        // Sync is measured, not mail: --hold-mail keeps the delivery worker from reading the demo's journal.
        process.arguments = ["server", "--data", data, "--port", "\(port)", "--hold-mail"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw BenchError("outpost server: \(error)") }
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Waits until `/healthz` answers.
    func ready() async throws(BenchError) {
        for _ in 0..<200 {
            if await Health.ok(url + "/healthz") { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the server did not come up on \(url)")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1e3 }
}

enum Health {
    static func ok(_ address: String) async -> Bool {
        guard let url = URL(string: address) else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }
}
