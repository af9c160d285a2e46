public import Causality
import Synchronization

/// The simulator's true time: it moves only when the scenario advances it or frames travel.
public final class VirtualClock: PhysicalClock {
    private let now: Mutex<UInt64>

    public init(startMs: UInt64) { now = Mutex(startMs) }

    public func nowMilliseconds() -> UInt64 { now.withLock { $0 } }

    /// Moves time forward by `ms`.
    public func advance(by ms: UInt64) { now.withLock { $0 &+= ms } }

    /// Moves time forward to `ms` (never back).
    public func advance(to ms: UInt64) { now.withLock { $0 = max($0, ms) } }
}

/// One node's physical clock: the virtual time plus an offset the scenario sets (a device whose
/// clock is days behind).
public final class NodeClock: PhysicalClock {
    public let base: VirtualClock
    private let offset: Mutex<Int64>

    public init(base: VirtualClock, offsetMs: Int64) {
        self.base = base
        offset = Mutex(offsetMs)
    }

    public var offsetMs: Int64 {
        get { offset.withLock { $0 } }
        set { offset.withLock { $0 = newValue } }
    }

    public func nowMilliseconds() -> UInt64 {
        let value = Int64(clamping: base.nowMilliseconds()) &+ offsetMs
        return UInt64(max(1, value))
    }
}
