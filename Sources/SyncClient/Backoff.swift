/// How long to wait before reconnecting after a dropped or failed sync session: starts at
/// ``initial`` seconds, doubles per failure up to ``maximum``, with ±25% jitter so that many devices
/// do not reconnect in step. A session that stayed up longer than ``maximum`` starts over.
///
/// ```swift
/// var backoff = Backoff()
/// let wait = backoff.next(sessionLasted: 0.2, using: &generator)   // about 1 s, then 2, 4…
/// ```
public struct Backoff: Sendable, Hashable {
    public var initial: Double
    public var maximum: Double
    /// The un-jittered delay the next failure waits.
    public private(set) var current: Double

    public init(initial: Double = 1, maximum: Double = 30) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        current = initial
    }

    /// The delay (seconds) to wait after a session that lasted `sessionLasted` seconds, and the
    /// step up for the one after.
    public mutating func next(sessionLasted: Double, using generator: inout some RandomNumberGenerator) -> Double {
        if sessionLasted > maximum { current = initial }
        let jittered = current * Double.random(in: 0.75...1.25, using: &generator)
        current = min(current * 2, maximum)
        return jittered
    }

    /// Starts over from ``initial`` (the user asked to reconnect now).
    public mutating func reset() { current = initial }
}
