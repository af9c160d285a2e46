import Replica
import Testing

/// `SystemClock` takes its offset as configuration (the `outpost` command reads
/// `OUTPOST_CLOCK_OFFSET_MS`), never from the environment itself.
@Suite("System clock")
struct SystemClockTests {
    @Test("an offset moves the clock by exactly that much against readings taken around it")
    func offsetIsApplied() {
        let day: Int64 = 86_400_000
        let before = SystemClock().nowMilliseconds()
        let ahead = SystemClock(offsetMs: day).nowMilliseconds()
        let behind = SystemClock(offsetMs: -day).nowMilliseconds()
        let after = SystemClock().nowMilliseconds()
        #expect(ahead >= before + UInt64(day) && ahead <= after + UInt64(day))
        #expect(behind + UInt64(day) >= before && behind + UInt64(day) <= after)
    }

    @Test("a clock set before the epoch reads 0, not a wrapped-around future")
    func beforeTheEpochIsZero() {
        #expect(SystemClock(offsetMs: .min / 2).nowMilliseconds() == 0)
    }
}
