/// A small, fast, seedable random number generator (Steele et al., SplitMix64): the same seed
/// gives the same sequence on every machine. The one seeded generator of the code base: the demo
/// inbox, the property tests and the scenario harness's fuzzer draw from it, so that a run replays
/// exactly from its seed.
///
/// ```swift
/// var rng = SplitMix64(seed: 42)
/// let device = rng.int(below: 3)          // 0, 1 or 2, the same on every run with seed 42
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one item of a seeded run, independent of the order items are made in.
    public init(seed: UInt64, stream: UInt64, item: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) ^ (item &* 0xBF58_476D_1CE4_E5B9))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One of `items`, which must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// `true` with the given probability (0…1).
    public mutating func chance(_ probability: Double) -> Bool { Double(next() % 1_000_000) < probability * 1_000_000 }

    public mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// A number in `0 ..< upper` (0 when `upper` is 0 or less).
    public mutating func int(below upper: Int) -> Int { Int(next() % UInt64(max(1, upper))) }
}
