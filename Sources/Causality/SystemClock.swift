#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's real-time clock.
///
/// `OUTPOST_CLOCK_OFFSET_MS` (a whole number of milliseconds, negative for behind) sets this
/// process's clock off the machine's by that much: how the scenario harness's live mode gives a
/// real `outpost` process a skewed clock, or moves every process's time on together
/// (Protocol/SCENARIOS.md, "Live mode").
public struct SystemClock: PhysicalClock {
    /// The environment variable read once, when the clock is first used.
    public static let offsetVariable = "OUTPOST_CLOCK_OFFSET_MS"
    /// This process's offset from the machine's clock, in ms.
    public static let offsetMs: Int64 = getenv(offsetVariable).flatMap { Int64(String(cString: $0)) } ?? 0

    public init() {}

    public func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let machine = Int64(clamping: max(0, spec.tv_sec)) * 1000 + Int64(clamping: max(0, spec.tv_nsec)) / 1_000_000
        return UInt64(max(0, machine + Self.offsetMs))
    }
}

/// A clock that says what it is told: for tests, the demo and the scenario harness.
public struct FixedClock: PhysicalClock {
    public let milliseconds: UInt64
    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }
    public func nowMilliseconds() -> UInt64 { milliseconds }
}
