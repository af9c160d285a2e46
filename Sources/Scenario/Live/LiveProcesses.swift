import Foundation

/// Every child process and temporary folder of the live runs in this process, so that a stop
/// (SIGTERM or SIGINT, ``LiveStopSignals``) can kill and remove them: the `outpost server`, the
/// `outpost` command running at that moment, and the run's data folder.
///
/// A process is started through ``launch(_:)``, under the same lock as ``beginStop()``: once a
/// stop has begun no new process starts, and every process started before is in the list the stop
/// kills. A harness thread that touches the registry during a stop parks there (the stop ends the
/// whole process), so it cannot start anything, report the kills as failures, or exit first.
final class LiveProcesses: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    static let shared = LiveProcesses()

    private let lock = NSLock()
    private var processes: [ObjectIdentifier: Process] = [:]
    private var directories: Set<String> = []
    private var stopping = false

    /// What a stop has to clean up.
    struct Leftovers {
        var processes: [Process]
        var directories: [String]
    }

    /// Starts `process` and records it (until ``ended(_:)``).
    func launch(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        if stopping {
            lock.unlock()
            Self.park()
        }
        try process.run()
        processes[ObjectIdentifier(process)] = process
    }

    /// `process` has ended (or been waited for): forget it.
    func ended(_ process: Process) {
        lock.lock()
        processes[ObjectIdentifier(process)] = nil
        let stopping = stopping
        lock.unlock()
        if stopping { Self.park() }
    }

    /// Records a temporary folder to remove on a stop; call it before making the folder.
    func adopt(directory: String) {
        lock.lock()
        directories.insert(directory)
        lock.unlock()
    }

    /// The folder has been removed by its owner.
    func release(directory: String) {
        lock.lock()
        directories.remove(directory)
        lock.unlock()
    }

    /// Whether a stop has begun.
    var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Marks the stop and hands over what is left to clean up; `nil` if a stop had begun already.
    func beginStop() -> Leftovers? {
        lock.lock()
        defer { lock.unlock() }
        guard !stopping else { return nil }
        stopping = true
        return Leftovers(processes: Array(processes.values), directories: Array(directories))
    }

    /// Parks the calling thread if a stop has begun (the stop ends the process).
    func parkIfStopping() {
        if isStopping { Self.park() }
    }

    /// Never returns: the thread waits for the stop to end the process.
    static func park() -> Never {
        while true { sleep(60) }
    }
}
