/// One change's identity: the replica that made it and its sequence number there.
///
/// A replica numbers its ops 1, 2, 3… without gaps, so "replica R has applied everything up to n"
/// is one integer per replica (see ``VersionVector``). Text form: `replica:counter`, e.g. `1f:42`.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let counter: UInt64

    public init(replica: ReplicaID, counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    /// The largest valid counter: counters are stored as SQLite's signed 64-bit integers, so they
    /// run from 1 to `Int64.max`, like replica ids. Everything that takes a counter from outside
    /// (text, the wire, JSON) refuses larger ones where it parses them.
    public static let maxCounter = UInt64(Int64.max)

    /// True when the replica id is valid and the counter is 1 through ``maxCounter``.
    public var isValid: Bool { replica.isValid && counter >= 1 && counter <= Self.maxCounter }

    /// Parses `replica:counter` in canonical form (decimal counter from 1 to ``maxCounter``, no
    /// leading zeros); `nil` for anything else.
    public init?(text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let replica = ReplicaID(text: parts[0]),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].first != "0",
              parts[1].count <= 19, let counter = UInt64(parts[1]), counter > 0, counter <= Self.maxCounter
        else { return nil }
        self.init(replica: replica, counter: counter)
    }

    public var description: String { "\(replica):\(counter)" }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }
}

extension Dot: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let dot = Dot(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a dot: \(text)")
        }
        self = dot
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
