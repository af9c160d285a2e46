/// A hybrid logical clock stamp: physical milliseconds, a logical counter, and the replica.
///
/// Stamps are totally ordered: by `wall`, then `logical`, then `replica`. An op's stamp is greater
/// than the stamp of every op in its causal past, so sorting by stamp gives an order that respects
/// causality even when device clocks are wrong. Text form: `wall.logical@replica`.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, as the clock understood them (never below any seen stamp).
    public let wall: UInt64
    /// Orders stamps within one millisecond.
    public let logical: UInt32
    /// The replica that made the stamp; breaks ties so that no two replicas' stamps are equal.
    public let replica: ReplicaID

    public init(wall: UInt64, logical: UInt32, replica: ReplicaID) {
        self.wall = wall
        self.logical = logical
        self.replica = replica
    }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.wall, lhs.logical, lhs.replica) < (rhs.wall, rhs.logical, rhs.replica)
    }

    public var description: String { "\(wall).\(logical)@\(replica)" }
}

extension HLCTimestamp: Codable {
    private enum CodingKeys: String, CodingKey { case wall, logical, replica }
}
