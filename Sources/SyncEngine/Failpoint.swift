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
    /// Not in a sync: a user's action on a device (`outpost reply`, `read`, `draft`, …) committed;
    /// the command has printed nothing yet.
    case afterAction = "after-action"

    /// The environment variable that arms a point for a process: `POINT` or `POINT@WHICH`
    /// (``ArmedFailpoint/init(_:)``).
    public static let environmentVariable = "OUTPOST_FAILPOINT"

    /// The point armed for this process by ``environmentVariable`` when it started, if any. The
    /// one place the variable is read; the driver is handed the value.
    public static let armedInProcess: ArmedFailpoint? = getenv(environmentVariable).flatMap {
        ArmedFailpoint(String(cString: $0))
    }

    /// A user action has just committed: a process armed with ``afterAction`` dies here.
    public static func actionCommitted() {
        if armedInProcess?.point == .afterAction { Failpoint.afterAction.die() }
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

/// A ``Failpoint`` armed for one node, and which received batch of a session reaches it: the Nth
/// (`after-commit@3`), or the first with which the ops received in the session reach a share of
/// what the node lacked of its peer's ops when the session began (`mid-batch@50%`). Without a
/// `@`, the first batch (for `mid-batch`: the first with more behind it).
public struct ArmedFailpoint: Hashable, Sendable, CustomStringConvertible {
    public enum Batch: Hashable, Sendable {
        /// The Nth batch the node receives in the session, from 1. For `mid-batch`, that batch
        /// must have more behind it, else the point is not reached in this session.
        case number(Int)
        /// The first received batch with which the session's received ops reach this percentage
        /// (1–100) of the ops the node lacked when the session began: "at P% of a first sync".
        case progress(Int)
    }

    public var point: Failpoint
    public var batch: Batch

    public init(_ point: Failpoint, batch: Batch = .number(1)) {
        self.point = point
        self.batch = batch
    }

    /// `POINT`, `POINT@N` (1–1,000,000) or `POINT@P%` (1–100); `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let point = Failpoint(rawValue: String(parts[0])) else { return nil }
        self.point = point
        batch = .number(1)
        guard parts.count == 2 else { return }
        guard point != .afterAction, let which = Self.batch(String(parts[1])) else { return nil }
        batch = which
    }

    /// `N` or `P%`, in range.
    public static func batch(_ text: String) -> Batch? {
        if text.hasSuffix("%") {
            guard let percent = Int(text.dropLast()), (1...100).contains(percent) else { return nil }
            return .progress(percent)
        }
        guard let number = Int(text), (1...1_000_000).contains(number) else { return nil }
        return .number(number)
    }

    public var description: String {
        switch batch {
        case .number(1): point.rawValue
        case .number(let number): "\(point.rawValue)@\(number)"
        case .progress(let percent): "\(point.rawValue)@\(percent)%"
        }
    }
}
