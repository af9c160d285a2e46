#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's real-time clock.
public struct SystemClock: PhysicalClock {
    public init() {}

    public func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(0, spec.tv_sec)) * 1000 + UInt64(max(0, spec.tv_nsec)) / 1_000_000
    }
}

/// A clock that says what it is told: for tests, the demo and the scenario harness.
public struct FixedClock: PhysicalClock {
    public let milliseconds: UInt64
    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }
    public func nowMilliseconds() -> UInt64 { milliseconds }
}
