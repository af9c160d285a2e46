/// The stable identity of one replica: one device install, or the server.
///
/// Replica ids order ops whose clocks tie, so they must be unique within a brand. The server hands
/// them out at enrollment; a standalone replica picks a random one. The text form is lowercase
/// hexadecimal without leading zeros (`1`, `7f3a91c2d4e5b6a8`). Valid ids are 1 through
/// `Int64.max`, so that they fit SQLite's signed integers and sort the same there.
public struct ReplicaID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The largest valid id.
    public static let maxRawValue = UInt64(Int64.max)

    /// True for 1 through ``maxRawValue``.
    public var isValid: Bool { rawValue >= 1 && rawValue <= Self.maxRawValue }

    /// A random valid id, from `generator` (inject a seeded one to replay a run).
    public static func random(using generator: inout some RandomNumberGenerator) -> ReplicaID {
        ReplicaID(UInt64.random(in: 1...maxRawValue, using: &generator))
    }

    /// Parses the canonical hexadecimal text form of a valid id (no leading zeros, lowercase); `nil`
    /// for anything else, so that one id has exactly one text form.
    public init?(text: some StringProtocol) {
        guard !text.isEmpty, text.count <= 16, text.first != "0",
              text.allSatisfy({ $0.isHexDigit && ($0.isNumber || $0.isLowercase) }),
              let value = UInt64(text, radix: 16), value >= 1, value <= Self.maxRawValue
        else { return nil }
        self.rawValue = value
    }

    public var description: String { String(rawValue, radix: 16) }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension ReplicaID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ReplicaID(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a replica id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
