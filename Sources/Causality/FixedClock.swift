/// A clock that says what it is told: for tests, the demo and the scenario harness.
public struct FixedClock: PhysicalClock {
    public let milliseconds: UInt64
    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }
    public func nowMilliseconds() -> UInt64 { milliseconds }
}
