import Foundation
import OutpostTestSupport
import Replica
import Testing

/// What one run of the `outpost` binary did.
typealias RunResult = ChildProcess.Result

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
        candidates.append(Repository.url(".build/debug/outpost"))
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

    /// Runs `outpost ARGS --replica PATH` (the replica option goes last, after any `--`-free arguments)
    /// and waits for its exit. `stdinBytes`, when given, is written to standard input as is (instead
    /// of `stdin`'s UTF-8); `environment` is added to the child's.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, stdinBytes: Data? = nil, replica: Bool = true,
             environment: [String: String] = [:]) async throws -> RunResult {
        try await start(arguments, stdin: stdin, stdinBytes: stdinBytes, replica: replica, environment: environment)
            .finish()
    }

    /// Starts `outpost ARGS --replica PATH` in the background, with this directory as its home.
    func start(_ arguments: [String], stdin: String? = nil, stdinBytes: Data? = nil, replica: Bool = true,
               environment extra: [String: String] = [:]) async throws -> ChildProcess {
        let binary = try #require(Self.binary, "the outpost binary was not built next to the tests")
        var environment = ProcessInfo.processInfo.environment
        environment["OUTPOST_REPLICA"] = nil
        environment["HOME"] = directory.path
        environment["XDG_DATA_HOME"] = directory.appendingPathComponent("xdg").path
        environment["COLUMNS"] = "200"
        environment.merge(extra) { $1 }
        return try await ChildProcess.start(binary, arguments + (replica ? ["--replica", replicaPath] : []),
                                            environment: environment,
                                            input: stdinBytes ?? Data((stdin ?? "").utf8))
    }

    /// Runs a command that must succeed; returns its stdout.
    @discardableResult
    func ok(_ arguments: [String], stdin: String? = nil,
            sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await run(arguments, stdin: stdin)
        #expect(result.status == 0, "outpost \(arguments.joined(separator: " ")): \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a command with `--json` and decodes its output as `T`.
    func json<T: Decodable>(_ type: T.Type, _ arguments: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
        let text = try await ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// Runs a command with `--json` and returns the raw JSON value.
    func jsonObject(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Any {
        let text = try await ok(arguments + ["--json"], sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// `replica info --json`.
    func info(sourceLocation: SourceLocation = #_sourceLocation) async throws -> ReplicaInfo {
        try await json(ReplicaInfo.self, ["replica", "info"], sourceLocation: sourceLocation)
    }

    /// One demo replica built by `outpost demo --replica-only --messages 300 --quiet`, copied for
    /// each test; made once, by the first test that needs it.
    static let demoTemplate = Task<Outpost, any Error> {
        let outpost = try Outpost(directory: templateDirectory)
        atexit { try? FileManager.default.removeItem(at: Outpost.templateDirectory) }
        let result = try await outpost.run(["demo", "--replica-only", "--messages", "300", "--quiet"])
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
    static func withDemo() async throws -> Outpost {
        let template = try await demoTemplate.value
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
