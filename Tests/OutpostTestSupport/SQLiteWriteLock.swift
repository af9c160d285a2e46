import Foundation
import Synchronization

/// Another process (python3's sqlite3) holding a SQLite file's write lock (`BEGIN IMMEDIATE`)
/// until ``release()``: what a writer in this process then meets is SQLite's busy wait, as with an
/// `outpost admin` command writing the same file.
public struct SQLiteWriteLock: Sendable {
    let process: ChildProcess
    let releaseFile: String

    /// Holds `BEGIN IMMEDIATE` on `argv[1]`, writes `argv[2]` once it has the lock and rolls back
    /// when `argv[3]` exists (or after 20 s).
    static let script = """
        import os, sqlite3, sys, time
        c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
        c.execute("BEGIN IMMEDIATE")
        open(sys.argv[2], "w").write("locked")
        end = time.time() + 20
        while not os.path.exists(sys.argv[3]) and time.time() < end:
            time.sleep(0.01)
        c.execute("ROLLBACK")
        """

    /// Returns once the other process holds the lock of the database at `path`; `scratch` is a
    /// directory for the two signal files.
    public static func hold(_ path: String, scratch: String) async throws -> SQLiteWriteLock {
        let name = UUID().uuidString
        let locked = scratch + "/" + name + ".locked", release = scratch + "/" + name + ".release"
        let process = try await ChildProcess.start(URL(fileURLWithPath: "/usr/bin/env"),
                                                   ["python3", "-c", script, path, locked, release])
        let lock = SQLiteWriteLock(process: process, releaseFile: release)
        do {
            try await eventually("the other process holds the write lock of \(path)", timeout: .seconds(30)) {
                FileManager.default.fileExists(atPath: locked) || !process.isRunning
            }
            guard FileManager.default.fileExists(atPath: locked) else {
                let result = try await process.finish()
                throw CouldNotLock(path: path, stderr: result.stderr)
            }
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    /// What ``contend(writers:write:probe:)`` saw.
    public struct Contention<Result: Sendable>: Sendable {
        /// Writes that had finished when the probe was done (before the lock was released).
        public var finishedBeforeRelease: Int
        /// Every write's result, in the order they finished.
        public var results: [Result]
    }

    /// More writers than Swift's shared pool has threads (one per core), at most 12.
    public static var contendingWriters: Int { min(ProcessInfo.processInfo.activeProcessorCount + 2, 12) }

    /// Starts `writers` concurrent `write`s (each given its number) while the lock is held; once
    /// every one is under way, runs `probe` (requests that need no write), then releases the lock
    /// and collects the writes. Writes that wait for SQLite on a dedicated pool leave `probe`
    /// free to run at once, so none has finished by then; had they blocked the shared pool,
    /// `probe` could not even start before SQLite's busy timeout failed them.
    public func contend<Result: Sendable>(writers: Int = contendingWriters,
                                          write: @escaping @Sendable (Int) async throws -> Result,
                                          probe: () async throws -> Void) async throws -> Contention<Result> {
        let started = Counter(), finished = Counter()
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    started.add()
                    let result = try await write(writer)
                    finished.add()
                    return result
                }
            }
            try await eventually("every write is under way", timeout: .seconds(30)) { started.value == writers }
            try await probe()
            let early = finished.value
            release()
            var results: [Result] = []
            for try await result in group { results.append(result) }
            return Contention(finishedBeforeRelease: early, results: results)
        }
    }

    /// Lets the other process roll back and end.
    public func release() {
        _ = FileManager.default.createFile(atPath: releaseFile, contents: Data())
    }

    /// Releases the lock and waits for the other process; true when it ended cleanly.
    public func finish() async throws -> Bool {
        release()
        return try await process.finish().status == 0
    }

    struct CouldNotLock: Error { let path: String; let stderr: String }
}

/// A count that concurrent tasks add to.
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var value: Int { count.load(ordering: .sequentiallyConsistent) }

    public func add() { count.add(1, ordering: .sequentiallyConsistent) }
}
