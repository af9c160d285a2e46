#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named point in applying a received batch, on either side of a session (a device pulling,
/// the server taking a push), where a node can be made to crash: the scenario harness's
/// `crash: … at:` (Protocol/SCENARIOS.md). The simulator crashes its node there by reopening the
/// replica file; a real `outpost` process armed with `OUTPOST_FAILPOINT` kills itself with
/// SIGKILL there (``die()``), so that live mode crashes at an exact point of the protocol, not
/// at a lucky moment.
public enum Failpoint: String, Sendable, CaseIterable {
    /// A batch arrived; its transaction has not committed: nothing of it may survive.
    case beforeCommit = "before-commit"
    /// The batch committed; the acknowledgement has not been sent.
    case afterCommit = "after-commit"
    /// A batch with more behind it committed and its acknowledgement was sent; the rest has not
    /// been applied.
    case midBatch = "mid-batch"

    /// The environment variable that arms a point for a process.
    public static let environmentVariable = "OUTPOST_FAILPOINT"

    /// The point armed for this process by ``environmentVariable`` when it started, if any. The
    /// one place the variable is read; the driver is handed the value.
    public static let armedInProcess: Failpoint? = getenv(environmentVariable).flatMap {
        Failpoint(rawValue: String(cString: $0))
    }

    /// This process dies here: a line on stderr, then SIGKILL (no shutdown code runs, exactly as
    /// `kill -9`). `settling` passes first, so that a frame just written reaches the peer before
    /// the kernel resets the connection.
    public func die(settling: Duration = .zero) -> Never {
        let micros = settling.components.seconds * 1_000_000 + settling.components.attoseconds / 1_000_000_000_000
        if micros > 0 { usleep(UInt32(clamping: micros)) }
        let line = Array("outpost: failpoint \(rawValue) reached: kill -9\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        kill(getpid(), SIGKILL)
        fatalError("SIGKILL did not end the process")
    }
}
