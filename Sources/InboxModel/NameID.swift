/// The rule every name-like id (brand, user, partner) follows: 1–64 characters of `a-z`, `0-9`,
/// `-`, `_` and `.`, starting with a letter or digit. Ids appear in URLs, file names and CLI
/// arguments, so they stay plain.
public enum NameIDRule {
    public static let maxLength = 64

    public static func isValid(_ text: some StringProtocol) -> Bool {
        guard let first = text.first, text.count <= maxLength, first.isASCII,
              first.isLetter || first.isNumber
        else { return false }
        return text.allSatisfy { char in
            char.isASCII && (char.isLowercase || char.isNumber || char == "-" || char == "_" || char == ".")
        }
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
