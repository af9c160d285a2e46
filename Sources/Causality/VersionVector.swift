/// How two version vectors relate.
public enum CausalOrder: Sendable, Equatable {
    /// Both have seen exactly the same ops.
    case equal
    /// The left side has seen a strict subset of what the right side has seen.
    case before
    /// The left side has seen a strict superset of what the right side has seen.
    case after
    /// Each has seen something the other has not.
    case concurrent
}

/// Replica → highest counter seen, for replicas whose ops are applied without gaps.
///
/// A version vector summarises a causally closed set of ops: it *covers* dot `(r, n)` when
/// `self[r] >= n`. Joining takes the pointwise maximum; it is commutative, associative and
/// idempotent, so vectors can be merged in any order, any number of times.
///
/// ```swift
/// var seen = VersionVector()
/// seen.advance(Dot(replica: ReplicaID(1), counter: 3))
/// seen.covers(Dot(replica: ReplicaID(1), counter: 2))   // true
/// ```
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    /// Entries with a counter above zero; an absent replica counts as zero.
    public private(set) var entries: [ReplicaID: UInt64]

    public init() { entries = [:] }

    /// Builds a vector; zero counters are dropped so that equal vectors compare equal.
    public init(_ entries: [ReplicaID: UInt64]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    public subscript(replica: ReplicaID) -> UInt64 {
        get { entries[replica] ?? 0 }
        set { entries[replica] = newValue == 0 ? nil : newValue }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// True when the op `dot` is among those this vector summarises.
    public func covers(_ dot: Dot) -> Bool { self[dot.replica] >= dot.counter }

    /// True when this vector has seen everything `other` has seen.
    public func includes(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    /// Raises the entry of `dot`'s replica to at least `dot.counter`.
    public mutating func advance(_ dot: Dot) {
        if dot.counter > self[dot.replica] { entries[dot.replica] = dot.counter }
    }

    /// Pointwise maximum.
    public func joined(with other: VersionVector) -> VersionVector {
        var result = self
        result.join(other)
        return result
    }

    /// Pointwise maximum, in place.
    public mutating func join(_ other: VersionVector) {
        for (replica, counter) in other.entries where counter > self[replica] {
            entries[replica] = counter
        }
    }

    /// Compares what the two vectors have seen.
    public func compare(to other: VersionVector) -> CausalOrder {
        switch (includes(other), other.includes(self)) {
        case (true, true): .equal
        case (true, false): .after
        case (false, true): .before
        case (false, false): .concurrent
        }
    }

    /// The highest dot of each replica, sorted by replica.
    public var dots: [Dot] {
        entries.map { Dot(replica: $0.key, counter: $0.value) }.sorted()
    }

    /// How many ops this vector covers that `base` does not: per replica, its counter above
    /// `base`'s (0 when not above), summed (saturating). With the empty vector, every op it covers.
    public func opCount(above base: VersionVector = VersionVector()) -> UInt64 {
        entries.reduce(0) { total, entry in
            let above = entry.value > base[entry.key] ? entry.value - base[entry.key] : 0
            let (sum, overflow) = total.addingReportingOverflow(above)
            return overflow ? .max : sum
        }
    }

    /// The entries of this vector that are above `base`: what this side has that `base` lacks, as the
    /// newest dot per replica.
    public func dots(above base: VersionVector) -> [Dot] {
        dots.filter { $0.counter > base[$0.replica] }
    }

    public var description: String {
        "[" + dots.map(\.description).joined(separator: ", ") + "]"
    }
}

extension VersionVector: Codable {
    /// Encoded as a sorted list of dots (`["1:4", "2f:9"]`): stable text, no string-keyed maps.
    public init(from decoder: any Decoder) throws {
        let list = try [Dot](from: decoder)
        var vector = VersionVector()
        for dot in list { vector.advance(dot) }
        self = vector
    }

    public func encode(to encoder: any Encoder) throws {
        try dots.encode(to: encoder)
    }
}
