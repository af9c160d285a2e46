public import Foundation
internal import Subprocess
import Synchronization

/// A child process started by a test (the `outpost` binary, the SMTP relay, …), run by
/// swift-subprocess: its exit is awaited, never waited for on a thread, so a test that runs one
/// for a minute holds no thread of Swift's shared pool (two threads on a small machine, which the
/// in-process servers of the other tests need too).
///
/// Standard output and standard error are collected while it runs; ``finish()`` returns them with
/// the exit status.
public final class ChildProcess: Sendable {
    /// How a child process ended and what it wrote.
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number if a signal ended it (as a shell says).
        public let status: Int32
        public let stdout: String
        public let stderr: String

        /// Non-empty lines of stderr.
        public var errorLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
    }

    /// The most a test's child may write to each stream before its run counts as failed.
    public static let outputLimit = 256 << 20

    public let processIdentifier: Int32
    private let run: Task<Result, any Error>
    /// Set once the process was reaped: no signal may go to its id after that (the id may be reused).
    private let ended: Flag

    private final class Flag: Sendable {
        let value = Mutex(false)
    }

    private init(processIdentifier: Int32, run: Task<Result, any Error>, ended: Flag) {
        self.processIdentifier = processIdentifier
        self.run = run
        self.ended = ended
    }

    /// Starts `executable` with `arguments`; `environment` replaces this process's environment
    /// when given; `input` is written to its standard input, which is then closed.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                             input: Data = Data()) async throws -> ChildProcess {
        let configuration = Configuration(
            executable: .path(.init(executable.path)), arguments: Arguments(arguments),
            environment: environment.map { variables in
                .custom(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0), $1) }))
            } ?? .inherit)
        let (started, starting) = AsyncStream<Int32>.makeStream()
        let ended = Flag()
        let run = Task {
            defer {
                ended.value.withLock { $0 = true }
                starting.finish()
            }
            let outcome = try await Subprocess.run(configuration, input: .array([UInt8](input)),
                                                   output: .bytes(limit: outputLimit),
                                                   error: .bytes(limit: outputLimit)) { execution in
                starting.yield(execution.processIdentifier.value)
            }
            let status: Int32 = switch outcome.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
            return Result(status: status, stdout: String(decoding: outcome.standardOutput, as: UTF8.self),
                          stderr: String(decoding: outcome.standardError, as: UTF8.self))
        }
        var pids = started.makeAsyncIterator()
        guard let pid = await pids.next() else {
            _ = try await run.value
            throw CouldNotStart(executable: executable.path)
        }
        return ChildProcess(processIdentifier: pid, run: run, ended: ended)
    }

    struct CouldNotStart: Error { let executable: String }

    /// Whether the process has ended (and been reaped).
    public var isRunning: Bool { !ended.value.withLock { $0 } }

    /// Sends `signal` if the process is still running. Returns whether it was.
    @discardableResult
    public func send(_ signal: Int32) -> Bool {
        ended.value.withLock { ended in
            guard !ended else { return false }
            kill(processIdentifier, signal)
            return true
        }
    }

    /// kill -9 (no shutdown code runs), then waits for the exit. Returns whether it was still running.
    @discardableResult
    public func kill9() async -> Bool {
        let wasRunning = send(SIGKILL)
        _ = try? await run.value
        return wasRunning
    }

    /// Waits up to `timeout` for the process to exit by itself; `false` if it is still running.
    public func exited(within timeout: Duration) async throws -> Bool {
        do {
            try await eventually("the exit of process \(processIdentifier)", timeout: timeout) { !isRunning }
            return true
        } catch is TimedOut {
            return false
        }
    }

    /// Waits for the exit and returns what the process wrote.
    public func finish() async throws -> Result {
        try await run.value
    }
}
