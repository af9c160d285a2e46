import DemoHistory
import Foundation
import Replica

/// Where the benchmark replica lives and how big it is, from the environment:
///
/// - `OUTPOST_BENCH_MESSAGES`: messages in the demo replica (default 1,000,000; CI or a quick run
///   can use 100,000);
/// - `OUTPOST_BENCH_SEED`: the demo generator's seed (default 2026);
/// - `OUTPOST_BENCH_CACHE`: the folder for the cached replica (default `Tools/Benchmarks/.cache`).
public struct BenchConfig: Sendable {
    public var messages: Int
    public var seed: UInt64
    public var cacheDirectory: String

    /// The demo's "now" is fixed, so a cached file never depends on the day it was built.
    public static let demoNow: UInt64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z

    public static func fromEnvironment() -> BenchConfig {
        let environment = ProcessInfo.processInfo.environment
        let messages = environment["OUTPOST_BENCH_MESSAGES"].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) }
        let seed = environment["OUTPOST_BENCH_SEED"].flatMap { UInt64($0) }
        let cache = environment["OUTPOST_BENCH_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
        return BenchConfig(messages: max(1_000, messages ?? 1_000_000), seed: seed ?? 2026,
                           cacheDirectory: cache ?? defaultCacheDirectory)
    }

    /// `Tools/Benchmarks/.cache`, found from this source file so that it does not depend on the
    /// directory the benchmark runner starts in.
    static var defaultCacheDirectory: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // BenchSupport
            .deletingLastPathComponent() // Sources
            .deletingLastPathComponent() // Tools/Benchmarks
            .appendingPathComponent(".cache").path
    }

    /// `v8`: the layout with messages in the journal and the baseline's `plain_messages`.
    /// `v9`: the search index merged after the build, as a device's is once its first sync caught up.
    var key: String { "replica-\(messages)-seed\(seed)-v9" }

    /// The cached, read-only-by-convention replica.
    public var replicaPath: String { cacheDirectory + "/\(key).sqlite" }

    /// A copy of it that the write benchmarks may change.
    public func scratchPath(_ name: String) -> String { cacheDirectory + "/\(key).scratch-\(name).sqlite" }
}

/// The benchmark replica: built once with `Replica.buildDemo`, then reused from the cache.
///
/// Opening it runs `Replica.open`, which upgrades an older schema in place; a build whose schema
/// is older than the file's then refuses it (`schema_too_new`): delete the cached file to rebuild.
public enum ReplicaFixture {
    /// The cached replica's path, building it first if it is missing. The build goes to a
    /// temporary name and is renamed when complete, so an interrupted build leaves no half file.
    @discardableResult
    public static func ensure(_ config: BenchConfig, log: (String) -> Void = logToStandardError) throws -> String {
        let path = config.replicaPath
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: config.cacheDirectory, withIntermediateDirectories: true)
        let lock = try FileLock(path + ".lock")
        defer { lock.unlock() }
        if FileManager.default.fileExists(atPath: path) { return path } // another process built it meanwhile

        let building = path + ".building"
        removeDatabase(at: building)
        log("building a \(config.messages)-message demo replica (seed \(config.seed)) at \(path)")
        let start = ContinuousClock.now
        var lastReport = start
        do {
            // Dropped at once: the pool closes, and its last connection checkpoints the WAL.
            _ = try Replica.buildDemo(
                at: building,
                options: DemoOptions(messages: config.messages, seed: config.seed, now: BenchConfig.demoNow)
            ) { done, total in
                let now = ContinuousClock.now
                if now - lastReport > .seconds(10) || done == total {
                    lastReport = now
                    log("  \(done)/\(total) ops, \(formatSeconds(now - start))")
                }
            }
        }
        log("adding the baseline's plain_messages table")
        let connection = try SQLiteConnection(path: building)
        try PlainMessages.add(to: connection)
        // Fold any WAL into the main file, so that the file can be copied alone.
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + suffix) }
        try FileManager.default.moveItem(atPath: building, toPath: path)
        log("built in \(formatSeconds(ContinuousClock.now - start))")
        return path
    }

    /// A fresh copy of the cached replica for a benchmark that writes.
    public static func scratchCopy(_ config: BenchConfig, name: String) throws -> String {
        let source = try ensure(config)
        let copy = config.scratchPath(name)
        removeDatabase(at: copy)
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        return copy
    }

    public static func removeDatabase(at path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

public func logToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

public func formatSeconds(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.1f s", seconds)
}

/// An exclusive `flock` on a lock file, so that two benchmark processes never build the same file.
final class FileLock {
    private let descriptor: Int32

    init(_ path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot open lock file \(path)") }
        guard flock(descriptor, LOCK_EX) == 0 else { throw BenchError("cannot lock \(path)") }
    }

    func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
