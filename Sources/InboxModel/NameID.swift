/// The rule every name-like id (brand, user, partner) follows: 1–64 characters of `a-z`, `0-9`,
/// `-`, `_` and `.`, starting with a letter or digit. Ids appear in URLs, file names and CLI
/// arguments, so they stay plain.
public enum NameIDRule {
    public static let maxLength = 64

    /// Checks the UTF-8 bytes: every allowed character is one ASCII byte, so this is the same
    /// rule as a Character-wise check, without grapheme breaking or Unicode property look-ups
    /// (it runs for every row the inbox and thread views read back).
    public static func isValid(_ text: some StringProtocol) -> Bool {
        var length = 0
        for byte in text.utf8 {
            length += 1
            guard length <= maxLength else { return false }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                guard length > 1 else { return false }
            default:
                return false
            }
        }
        return length > 0
    }
}

/// A name-like identifier, checked on construction and on decoding.
public protocol NameID: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible
where RawValue == String {
    init(unchecked rawValue: String)
}

extension NameID {
    /// `nil` unless `rawValue` follows ``NameIDRule``.
    public init?(rawValue: String) {
        guard NameIDRule.isValid(rawValue) else { return nil }
        self.init(unchecked: rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard NameIDRule.isValid(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a valid id: \(text)")
        }
        self.init(unchecked: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A brand: the tenant whose users talk with its partners.
public struct BrandID: NameID {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// A user of a brand (field staff).
public struct UserID: NameID {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// A partner of a brand.
public struct PartnerID: NameID {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}
