public import Causality
public import InboxModel

/// Builds ops by hand for tests, the one way: a dot, an HLC stamp, deps, actor and body.
public enum TestOp {
    /// The op `replica:counter` stamped `wall`/`logical` exactly as given (protocol vectors and
    /// shape checks need exact stamps).
    public static func make(_ replica: ReplicaID, _ counter: UInt64, wall: UInt64, logical: UInt32 = 0,
                            deps: [Dot] = [], _ actor: Principal, _ body: OpBody) -> Op {
        Op(dot: Dot(replica: replica, counter: counter),
           stamp: HLCTimestamp(wall: wall, logical: logical, replica: replica), deps: deps, actor: actor, body: body)
    }
}

/// Makes the ops of one replica in order: gap-free counters, stamps from a hybrid logical clock,
/// deps as given.
public struct OpMaker: Sendable {
    public let replica: ReplicaID
    public private(set) var counter: UInt64
    private var clock: HybridLogicalClock
    /// The physical time of the next ``make(_:_:deps:)``; each op moves it on by a millisecond.
    public var wall: UInt64

    /// A maker whose first op will be `counter + 1`, stamped at `wall` unless told otherwise.
    public init(replica: ReplicaID, counter: UInt64 = 0, wall: UInt64 = 1_800_000_000_000) {
        self.replica = replica
        self.counter = counter
        self.wall = wall
        clock = HybridLogicalClock(replica: replica)
    }

    /// The dot the next op will have.
    public var nextDot: Dot { Dot(replica: replica, counter: counter + 1) }

    /// The next op, its stamp ticked from the physical time `wall`.
    public mutating func make(_ actor: Principal, _ body: OpBody, at wall: UInt64, deps: [Dot] = []) -> Op {
        counter += 1
        self.wall = max(self.wall, wall + 1)
        return Op(dot: Dot(replica: replica, counter: counter), stamp: clock.tick(physical: wall), deps: deps,
                  actor: actor, body: body)
    }

    /// The next op, a millisecond after the previous one.
    public mutating func make(_ actor: Principal, _ body: OpBody, deps: [Dot] = []) -> Op {
        make(actor, body, at: wall, deps: deps)
    }
}
