import Causality
import Synchronization

/// A clock that moves only when a test says so.
final class SteppingClock: PhysicalClock {
    private let now: Mutex<UInt64>

    init(_ start: UInt64) { now = Mutex(start) }

    func nowMilliseconds() -> UInt64 { now.withLock { $0 } }

    func advance(by milliseconds: UInt64) { now.withLock { $0 += milliseconds } }
}
