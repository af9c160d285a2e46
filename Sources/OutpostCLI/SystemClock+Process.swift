import Foundation
import Replica

extension SystemClock {
    /// The clock every replica, server store and sync of this process uses: the machine's, set off
    /// by `$OUTPOST_CLOCK_OFFSET_MS` milliseconds when that is set (how the scenario harness's live
    /// mode gives a real `outpost` process a skewed clock; Protocol/SCENARIOS.md, "Live mode").
    /// Read once, when first used.
    static let process = SystemClock(
        offsetMs: ProcessInfo.processInfo.environment[offsetVariable].flatMap { Int64($0) } ?? 0)
}
