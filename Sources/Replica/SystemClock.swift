#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Causality

/// The machine's real-time clock (`CLOCK_REALTIME`), optionally set off by a fixed offset.
///
/// The standard library has no wall clock (`ContinuousClock` and `SuspendingClock` count from an
/// arbitrary start), so the real clock lives here, in the lowest module that may do I/O, and
/// `Causality` keeps only the `PhysicalClock` protocol. The offset is configuration passed in: the
/// `outpost` command reads ``offsetVariable`` once and gives every clock it makes that offset.
public struct SystemClock: PhysicalClock {
    /// The environment variable through which a parent process (the scenario harness's live mode)
    /// sets an `outpost` process's clock off the machine's: a whole number of milliseconds,
    /// negative for behind. Read by the `outpost` command, never by this type
    /// (Protocol/SCENARIOS.md, "Live mode").
    public static let offsetVariable = "OUTPOST_CLOCK_OFFSET_MS"

    /// This clock's offset from the machine's clock, in ms.
    public let offsetMs: Int64

    /// A clock `offsetMs` milliseconds ahead of the machine's (behind when negative).
    public init(offsetMs: Int64 = 0) { self.offsetMs = offsetMs }

    public func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let machine = Int64(clamping: max(0, spec.tv_sec)) * 1000 + Int64(clamping: max(0, spec.tv_nsec)) / 1_000_000
        return UInt64(max(0, machine + offsetMs))
    }
}
