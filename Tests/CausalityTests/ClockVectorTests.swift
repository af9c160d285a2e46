import Causality
import Foundation
import OutpostTestSupport
import Testing

/// Replays the clock vectors of `Protocol/vectors/clock/` (format: Protocol/vectors/README.md)
/// against ``HybridLogicalClock``: after each tick or observe, the stamp and the clock's state must
/// be exactly the expected ones.
@Suite("Clock vectors")
struct ClockVectorTests {
    struct State: Codable, Equatable, CustomStringConvertible {
        var wall: UInt64
        var logical: UInt32
        var description: String { "\(wall).\(logical)" }
    }

    /// One event: exactly one of `tick` (a physical time) and `observe` (a remote stamp).
    struct Step: Codable {
        var tick: UInt64?
        var observe: HLCTimestamp?
        /// For a tick: the stamp it returns.
        var stamp: HLCTimestamp?
        var state: State
    }

    struct Vector: Codable {
        var description: String
        var replica: ReplicaID
        var start: State
        var steps: [Step]
    }

    static let folder = Repository.url("Protocol/vectors/clock")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted()
    }

    @Test("the clock vectors cover a clock jumping back, standing still, a remote far ahead, logical overflow")
    func present() {
        #expect(Set(["clock-jumps-back.json", "clock-stands-still.json", "remote-far-ahead.json",
                     "logical-overflow.json"]).isSubset(of: Set(Self.names)))
    }

    @Test("a clock vector replays exactly", arguments: names)
    func replay(name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        let vector = try JSONDecoder().decode(Vector.self, from: data)
        #expect(!vector.steps.isEmpty)
        var clock = HybridLogicalClock(replica: vector.replica, wall: vector.start.wall, logical: vector.start.logical)
        var greatest = vector.start
        for (index, step) in vector.steps.enumerated() {
            let before = State(wall: clock.wall, logical: clock.logical)
            switch (step.tick, step.observe) {
            case (let physical?, nil):
                let stamp = clock.tick(physical: physical)
                #expect(stamp == step.stamp, "\(name) step \(index): tick(\(physical)) gave \(stamp)")
                // What the vectors illustrate, checked on each step too: a tick exceeds all before it.
                #expect((stamp.wall, stamp.logical) > (greatest.wall, greatest.logical), "\(name) step \(index)")
                #expect(stamp.wall >= physical, "\(name) step \(index): a stamp is never behind the physical clock")
            case (nil, let remote?):
                #expect(step.stamp == nil, "\(name) step \(index): an observe has no stamp")
                clock.observe(remote)
            default:
                Issue.record("\(name) step \(index): exactly one of tick and observe")
            }
            let state = State(wall: clock.wall, logical: clock.logical)
            #expect(state == step.state, "\(name) step \(index): state \(state), expected \(step.state)")
            #expect((state.wall, state.logical) >= (before.wall, before.logical), "the state never goes back")
            if (state.wall, state.logical) > (greatest.wall, greatest.logical) { greatest = state }
        }
    }
}
