/// Where a clock reads physical time from. Inject a fixed or manual source in tests.
public protocol PhysicalClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMilliseconds() -> UInt64
}

/// A hybrid logical clock for one replica (Kulkarni et al., "Logical Physical Clocks", 2014).
///
/// ``tick(physical:)`` stamps a local op; ``observe(_:)`` folds in a stamp received from
/// another replica. Every stamp it returns is greater than every stamp it returned or observed
/// before, whatever the physical clock does (it may jump backwards or stand still).
///
/// The clock is a value: the replica keeps its last stamp in its store and rebuilds the clock from
/// it, so that a restart never goes backwards.
public struct HybridLogicalClock: Sendable, Equatable {
    public let replica: ReplicaID
    /// The greatest stamp this clock has issued or observed (`wall` and `logical` only).
    public private(set) var wall: UInt64
    public private(set) var logical: UInt32

    public init(replica: ReplicaID, wall: UInt64 = 0, logical: UInt32 = 0) {
        self.replica = replica
        self.wall = wall
        self.logical = logical
    }

    /// A new stamp for a local op.
    public mutating func tick(physical: UInt64) -> HLCTimestamp {
        if physical > wall {
            wall = physical
            logical = 0
        } else {
            advanceLogical()
        }
        return HLCTimestamp(wall: wall, logical: logical, replica: replica)
    }

    /// Takes a stamp received from elsewhere into account, so that every later ``tick(physical:)``
    /// exceeds it.
    public mutating func observe(_ remote: HLCTimestamp) {
        if (remote.wall, remote.logical) > (wall, logical) {
            wall = remote.wall
            logical = remote.logical
        }
    }

    /// When `logical` would overflow, time moves on by one millisecond instead.
    private mutating func advanceLogical() {
        if logical == UInt32.max {
            wall += 1
            logical = 0
        } else {
            logical += 1
        }
    }
}
