#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named point of a sync where this process kills itself with SIGKILL: fault injection for the
/// scenario harness's live mode (Protocol/SCENARIOS.md, "Live mode") and the crash tests, which run
/// real `outpost` processes and must crash one at an exact point of the protocol, not at a lucky
/// moment.
///
/// Armed by the environment variable `OUTPOST_FAILPOINT` (`before-commit`, `after-commit` or
/// `mid-batch`) when the process starts; unset, every check is a comparison with `nil`. The points
/// are those of a received batch, on either side of a session (a device pulling, the server taking
/// a push), the same as the simulator's `crash: … at:`.
public enum Failpoint: String, Sendable, CaseIterable {
    /// A batch arrived; its transaction has not committed: nothing of it may survive.
    case beforeCommit = "before-commit"
    /// The batch committed; the acknowledgement has not been sent.
    case afterCommit = "after-commit"
    /// A batch with more behind it committed and its acknowledgement was sent; the rest has not
    /// been applied.
    case midBatch = "mid-batch"

    /// The environment variable that arms a point.
    public static let environmentVariable = "OUTPOST_FAILPOINT"

    /// The point armed for this process, if any.
    public static let armed: Failpoint? = getenv(environmentVariable).flatMap { Failpoint(rawValue: String(cString: $0)) }

    /// Dies here if `self` is the armed point: a line on stderr, then SIGKILL (no shutdown code
    /// runs, exactly as `kill -9`). `settling` microseconds pass first, so that a frame just
    /// written reaches the peer before the kernel resets the connection.
    func reach(settling microseconds: UInt32 = 0) {
        guard Self.armed == self else { return }
        if microseconds > 0 { usleep(microseconds) }
        let line = Array("outpost: failpoint \(rawValue) reached: kill -9\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        kill(getpid(), SIGKILL)
    }
}
