import Dispatch
import Foundation

/// What `outpost scenario run --live` and `scenario fuzz --live` do on SIGTERM (as `timeout`
/// sends) or SIGINT (Ctrl-C): kill every child process of the live runs (the `outpost server`,
/// the `outpost` command running then; the relays are this process's own sockets), remove the
/// runs' temporary folders, say so on stderr and exit with 128 + the signal's number (143 for
/// SIGTERM, 130 for SIGINT). Without it the children — each in a process group of its own, so a
/// terminal's Ctrl-C does not reach them — and the data folder outlived the command.
///
/// The signals are taken by Dispatch signal sources on a queue of their own, so the handler runs
/// while the harness's thread is busy waiting for a process; nothing waits on Swift's
/// cooperative thread pool.
public enum LiveStopSignals {
    /// The signals a live run stops on.
    public static let signals: [Int32] = [SIGTERM, SIGINT]

    /// How long the stop waits for killed children to be reaped.
    static let reapTimeout: TimeInterval = 5

    private static let queue = DispatchQueue(label: "outpost.scenario.live-stop")
    private static let sources = SourceList()

    /// Takes SIGTERM and SIGINT from now on (call it once, before a live run starts); `command`
    /// names the command in the stderr line (`outpost scenario run`).
    public static func install(command: String) {
        sources.installOnce {
            signals.map { number in
                // A handler that does nothing, not SIG_IGN: an ignored signal stays ignored in
                // every child started later, a handled one is reset to its default at exec.
                // (On Linux, Dispatch then puts its own handler in place to feed the source.)
                signal(number) { _ in }
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { stop(signal: number, command: command) }
                source.resume()
                return source
            }
        }
    }

    /// If a stop is under way, parks the calling thread until the stop ends the process. The
    /// command calls it before reporting anything: a failure then may be the stop's own doing.
    public static func holdIfStopping() {
        LiveProcesses.shared.parkIfStopping()
    }

    /// Kills the children, removes the folders, reports and exits. Runs on ``queue``.
    static func stop(signal number: Int32, command: String) {
        guard let leftovers = LiveProcesses.shared.beginStop() else { return }
        var killed = 0
        for process in leftovers.processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed += 1
        }
        // Let Foundation reap them (no zombie left for a parent that may never wait).
        let deadline = Date().addingTimeInterval(reapTimeout)
        while leftovers.processes.contains(where: \.isRunning) && Date() < deadline { usleep(10_000) }
        for directory in leftovers.directories { try? FileManager.default.removeItem(atPath: directory) }
        let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
        let children = killed == 1 ? "1 child process" : "\(killed) child processes"
        let line = "\(command): stopped by \(name); killed \(children) and removed \(leftovers.directories.count) "
            + "temporary folder\(leftovers.directories.count == 1 ? "" : "s")\n"
        fflush(nil)  // what the run printed so far (stdout may be a file or a pipe)
        FileHandle.standardError.write(Data(line.utf8))
        _exit(128 + number)
    }

    /// The installed sources, kept alive for the life of the process.
    private final class SourceList: @unchecked Sendable {
        // @unchecked: `sources` is guarded by `lock`.
        private let lock = NSLock()
        private var sources: [any DispatchSourceSignal] = []

        func installOnce(_ make: () -> [any DispatchSourceSignal]) {
            lock.lock()
            defer { lock.unlock() }
            if sources.isEmpty { sources = make() }
        }
    }
}
