import Causality
import PropertyBased
import Testing

/// One step a clock goes through: a local tick at some physical time, or a stamp from elsewhere.
enum ClockEvent: Sendable, CustomStringConvertible {
    case tick(physical: UInt64)
    case observe(HLCTimestamp)

    var description: String {
        switch self {
        case .tick(let physical): "tick(\(physical))"
        case .observe(let stamp): "observe(\(stamp))"
        }
    }
}

/// Physical times in a narrow range (so the clock often stands still or jumps backwards), and
/// logical counters that are often at or next to `UInt32.max` (so they overflow).
let logicalGen = Gen.uint64(in: 0...5).map { choice -> UInt32 in
    switch choice {
    case 0: UInt32.max
    case 1: UInt32.max - 1
    default: UInt32(choice)
    }
}

let eventGen = zip(Gen.bool(0.6), Gen.uint64(in: 1_000...1_020), logicalGen, Gen.uint64(in: 1...4))
    .map { isTick, physical, logical, replica -> ClockEvent in
        isTick ? .tick(physical: physical)
               : .observe(HLCTimestamp(wall: physical, logical: logical, replica: ReplicaID(replica)))
    }

/// A physical clock that reads from a script: goes back days, stands still, jumps forward.
final class ScriptedClock: PhysicalClock, @unchecked Sendable {
    private var readings: [UInt64]
    init(_ readings: [UInt64]) { self.readings = readings }
    func nowMilliseconds() -> UInt64 { readings.count > 1 ? readings.removeFirst() : readings[0] }
}

@Suite("HybridLogicalClock")
struct HybridLogicalClockTests {
    @Test("never goes backwards; every tick exceeds every stamp issued or observed before")
    func monotonicProperty() async {
        await propertyCheck(count: 300, input: eventGen.array(of: 1...60), Gen.uint64(in: 0...1_030)) { events, start in
            var clock = HybridLogicalClock(replica: ReplicaID(2), wall: start, logical: 0)
            var greatest: (UInt64, UInt32) = (start, 0)
            var issued: [HLCTimestamp] = []
            for event in events {
                let before = (clock.wall, clock.logical)
                switch event {
                case .tick(let physical):
                    let stamp = clock.tick(physical: physical)
                    #expect((stamp.wall, stamp.logical) > greatest, "\(stamp) after \(greatest)")
                    #expect(stamp.replica == ReplicaID(2))
                    #expect(stamp.wall >= physical, "a stamp is never behind the physical clock")
                    if let last = issued.last { #expect(stamp > last) }
                    issued.append(stamp)
                    greatest = (stamp.wall, stamp.logical)
                case .observe(let remote):
                    clock.observe(remote)
                    if (remote.wall, remote.logical) > greatest { greatest = (remote.wall, remote.logical) }
                }
                #expect((clock.wall, clock.logical) >= before, "the clock went backwards at \(event)")
                #expect((clock.wall, clock.logical) == greatest)
            }
        }
    }

    @Test("a physical clock that jumps backwards or stands still")
    func backwardsAndStill() {
        let source = ScriptedClock([5_000, 5_000, 1_000, 4_999, 6_000, 6_000])
        var clock = HybridLogicalClock(replica: ReplicaID(1))
        var stamps: [HLCTimestamp] = []
        for _ in 0..<6 { stamps.append(clock.tick(physical: source.nowMilliseconds())) }
        #expect(stamps.map(\.wall) == [5_000, 5_000, 5_000, 5_000, 6_000, 6_000])
        #expect(stamps.map(\.logical) == [0, 1, 2, 3, 0, 1])
        #expect(stamps == stamps.sorted())
        #expect(Set(stamps).count == stamps.count)
    }

    @Test("logical counter overflow moves time on by one millisecond")
    func logicalOverflow() {
        var clock = HybridLogicalClock(replica: ReplicaID(1), wall: 100, logical: UInt32.max - 1)
        let a = clock.tick(physical: 50)
        let b = clock.tick(physical: 50)
        #expect((a.wall, a.logical) == (100, UInt32.max))
        #expect((b.wall, b.logical) == (101, 0))
        #expect(b > a)

        var other = HybridLogicalClock(replica: ReplicaID(1))
        let remote = HLCTimestamp(wall: 7_000, logical: UInt32.max, replica: ReplicaID(9))
        other.observe(remote)
        let next = other.tick(physical: 10)
        #expect((next.wall, next.logical) == (7_001, 0))
        #expect((next.wall, next.logical) > (remote.wall, remote.logical))
    }

    @Test("observing an older stamp changes nothing; a tick after a newer one exceeds it")
    func observe() {
        var clock = HybridLogicalClock(replica: ReplicaID(3))
        _ = clock.tick(physical: 2_000)
        clock.observe(HLCTimestamp(wall: 1_000, logical: 9, replica: ReplicaID(4)))
        #expect(clock.wall == 2_000 && clock.logical == 0)
        // Same wall and logical from a greater replica: the next local stamp still exceeds it.
        let tie = HLCTimestamp(wall: 2_000, logical: 0, replica: ReplicaID(0xff))
        clock.observe(tie)
        #expect(clock.tick(physical: 2_000) > tie)
        let future = HLCTimestamp(wall: 9_000, logical: 3, replica: ReplicaID(4))
        clock.observe(future)
        let stamp = clock.tick(physical: 2_000)
        #expect(stamp > future)
        #expect((stamp.wall, stamp.logical) == (9_000, 4))
    }

    @Test("stamps order by wall, then logical, then replica")
    func stampOrder() {
        let a = HLCTimestamp(wall: 1, logical: 5, replica: ReplicaID(9))
        let b = HLCTimestamp(wall: 2, logical: 0, replica: ReplicaID(1))
        let c = HLCTimestamp(wall: 2, logical: 0, replica: ReplicaID(2))
        let d = HLCTimestamp(wall: 2, logical: 1, replica: ReplicaID(1))
        #expect([d, c, b, a].sorted() == [a, b, c, d])
        #expect(c.description == "2.0@2")
    }
}
