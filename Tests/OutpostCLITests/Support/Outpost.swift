import Foundation
import Replica
import Testing

/// What one run of the `outpost` binary did.
struct RunResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    /// Non-empty lines of stderr.
    var errorLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
}

/// A started `outpost` process; its output goes to files until ``finish()`` collects it.
final class OutpostProcess: @unchecked Sendable {
    // @unchecked: used from the one test that started it.
    let process: Process
    let stdout: URL
    let stderr: URL

    init(process: Process, stdout: URL, stderr: URL) {
        self.process = process
        self.stdout = stdout
        self.stderr = stderr
    }

    var isRunning: Bool { process.isRunning }

    /// kill -9: no shutdown code runs. Returns whether the process was still running.
    @discardableResult
    func kill9() -> Bool {
        let wasRunning = process.isRunning
        if wasRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return wasRunning
    }

    /// Waits up to `timeout` for the process to exit by itself; `false` if it is still running.
    func exited(within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return !process.isRunning
    }

    /// Waits for the exit and collects what the process wrote.
    func finish() throws -> RunResult {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
        return RunResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: stdout), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: stderr), as: UTF8.self))
    }
}

/// Runs the built `outpost` executable as a subprocess, on a replica in a temporary directory.
struct Outpost {
    /// The built binary: next to the test bundle in the products directory.
    static let binary: URL? = {
        let manager = FileManager.default
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["OUTPOST_BINARY"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("outpost"))
        // On macOS the runner sits inside `….xctest/Contents/MacOS`.
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("outpost"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("outpost"))
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("outpost"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/outpost"))
        return candidates.first { manager.isExecutableFile(atPath: $0.path) }
    }()

    let directory: URL
    var replicaPath: String { directory.appendingPathComponent("replica.sqlite").path }

    init(directory: URL = FileManager.default.temporaryDirectory
            .appendingPathComponent("outpost-cli-tests-\(UUID().uuidString)", isDirectory: true)) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Runs `outpost ARGS --replica PATH` (the replica option goes last, after any `--`-free arguments).
    /// `stdinBytes`, when given, is written to standard input as is (instead of `stdin`'s UTF-8).
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, stdinBytes: Data? = nil, replica: Bool = true) throws -> RunResult {
        try start(arguments, stdin: stdin, stdinBytes: stdinBytes, replica: replica).finish()
    }

    /// Runs a long command without holding a thread of the shared pool while it runs (a blocking
    /// wait of a minute starves the in-process server tests running beside it): polls for the exit.
    func runPolling(_ arguments: [String], replica: Bool = true, timeout: Duration = .seconds(600)) async throws -> RunResult {
        let process = try start(arguments, replica: replica)
        if try await !process.exited(within: timeout) {
            process.kill9()
            Issue.record("outpost \(arguments.joined(separator: " ")) ran longer than \(timeout)")
        }
        return try process.finish()
    }

    /// Starts `outpost ARGS --replica PATH` in the background, with this directory as its home.
    func start(_ arguments: [String], stdin: String? = nil, stdinBytes: Data? = nil,
               replica: Bool = true) throws -> OutpostProcess {
        let binary = try #require(Self.binary, "the outpost binary was not built next to the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + (replica ? ["--replica", replicaPath] : [])
        var environment = ProcessInfo.processInfo.environment
        environment["OUTPOST_REPLICA"] = nil
        environment["HOME"] = directory.path
        environment["XDG_DATA_HOME"] = directory.appendingPathComponent("xdg").path
        environment["COLUMNS"] = "200"
        process.environment = environment
        let id = UUID().uuidString
        let running = OutpostProcess(process: process, stdout: directory.appendingPathComponent("\(id).out"),
                                     stderr: directory.appendingPathComponent("\(id).err"))
        _ = FileManager.default.createFile(atPath: running.stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: running.stderr.path, contents: nil)
        let out = try FileHandle(forWritingTo: running.stdout), err = try FileHandle(forWritingTo: running.stderr)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let bytes = stdinBytes ?? stdin.map({ Data($0.utf8) }) { input.fileHandleForWriting.write(bytes) }
        try input.fileHandleForWriting.close()
        return running
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    func ok(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments, stdin: stdin)
        #expect(result.status == 0, "outpost \(arguments.joined(separator: " ")): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a command with `--json` and decodes its output as `T`.
    func json<T: Decodable>(_ type: T.Type, _ arguments: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let text = try ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// ``ok(_:stdin:sourceLocation:)`` for async tests: polls for the exit instead of holding a
    /// thread of the shared pool (use it for anything that may take seconds).
    @discardableResult
    func okPolling(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await runPolling(arguments)
        #expect(result.status == 0, "outpost \(arguments.joined(separator: " ")): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// ``json(_:_:sourceLocation:)`` for async tests (see ``okPolling(_:sourceLocation:)``).
    func jsonPolling<T: Decodable>(_ type: T.Type, _ arguments: [String],
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
        let text = try await okPolling(arguments + ["--json"], sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// Runs a command with `--json` and returns the raw JSON value.
    func jsonObject(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let text = try ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// `replica info --json`.
    func info(sourceLocation: SourceLocation = #_sourceLocation) throws -> ReplicaInfo {
        try json(ReplicaInfo.self, ["replica", "info"], sourceLocation: sourceLocation)
    }

    /// One demo replica built by `outpost demo --replica-only --messages 300 --quiet`, copied for each test.
    static let demoTemplate: Result<Outpost, any Error> = Result {
        let outpost = try Outpost(directory: templateDirectory)
        atexit { try? FileManager.default.removeItem(at: Outpost.templateDirectory) }
        let result = try outpost.run(["demo", "--replica-only", "--messages", "300", "--quiet"])
        guard result.status == 0, result.stdout.isEmpty, result.stderr.contains("300 messages") else {
            throw DemoFailed(result: result)
        }
        return outpost
    }

    /// Where the template lives; removed when the test process exits.
    ///
    /// A fresh name per process, never one derived from the process id: in a container the ids
    /// repeat from run to run, and a directory left behind by a killed run would hold a replica
    /// already, so `demo` would refuse to build the template.
    static let templateDirectory: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("outpost-cli-tests-template-\(UUID().uuidString)", isDirectory: true)

    struct DemoFailed: Error { let result: RunResult }

    /// A fresh directory holding a copy of the 300-message demo replica.
    static func withDemo() throws -> Outpost {
        let template = try demoTemplate.get()
        let outpost = try Outpost()
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: template.replicaPath + suffix) {
            try FileManager.default.copyItem(atPath: template.replicaPath + suffix, toPath: outpost.replicaPath + suffix)
        }
        return outpost
    }
}

/// The fields of an inbox row as `--json` writes them.
struct InboxRowJSON: Decodable {
    let id: String
    let kind: String
    let partnerID: String
    let partnerName: String
    let partnerStatus: String
    let subject: String
    let preview: String
    let lastActivity: UInt64
    let unread: Bool
    let messageCount: Int
    let hasDraft: Bool
    let snippet: String?
}
