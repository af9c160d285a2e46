/// How one version vector differs from another that both sides of a sync already know (its
/// base): the entries in which they differ, each replica with its counter in the new vector (0:
/// the new vector has none of that replica's ops). Applied to the base, the changes give the new
/// vector back exactly. A sync round sends its vectors this way (Protocol/SPEC.md, "Vector
/// changes"), so that what it costs follows what changed, not every replica the brand ever had.
///
/// ```swift
/// let changes = VectorChanges(from: base, to: have)   // only the entries that moved
/// changes.applied(to: base) == have                   // true
/// ```
public struct VectorChanges: Hashable, Sendable, CustomStringConvertible {
    /// Replica → its counter in the new vector; 0 when the new vector lacks the replica.
    public private(set) var entries: [ReplicaID: UInt64]

    public init() { entries = [:] }

    /// The entries as given (a counter of 0 removes the replica).
    public init(_ entries: [ReplicaID: UInt64]) { self.entries = entries }

    /// What turns `base` into `target`.
    public init(from base: VersionVector, to target: VersionVector) {
        var entries: [ReplicaID: UInt64] = [:]
        for (replica, counter) in target.entries where base[replica] != counter { entries[replica] = counter }
        for replica in base.entries.keys where target[replica] == 0 { entries[replica] = 0 }
        self.entries = entries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// `base` with these changes made.
    public func applied(to base: VersionVector) -> VersionVector {
        var result = base
        for (replica, counter) in entries { result[replica] = counter }
        return result
    }

    /// The entries sorted by replica, as the wire lists them.
    public var sorted: [(replica: ReplicaID, counter: UInt64)] {
        entries.map { (replica: $0.key, counter: $0.value) }.sorted { $0.replica < $1.replica }
    }

    public var description: String {
        "Δ[" + sorted.map { "\($0.replica):\($0.counter)" }.joined(separator: ", ") + "]"
    }
}

extension VersionVector {
    /// A 64-bit digest of the vector, by which a hello names the base its changes are against:
    /// FNV-1a over the entries sorted by replica, each as its replica id then its counter, both
    /// 8 bytes little-endian (Protocol/SPEC.md, "Vector changes"). Never 0, which means "no base".
    public var digest: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: UInt64) {
            var value = value
            for _ in 0..<8 {
                hash ^= value & 0xff
                hash = hash &* 0x0000_0100_0000_01b3
                value >>= 8
            }
        }
        for dot in dots {
            mix(dot.replica.rawValue)
            mix(dot.counter)
        }
        return hash == 0 ? 1 : hash
    }
}
