/// Who wrote something: a brand user, a partner, or the platform itself.
public enum Principal: Hashable, Codable, Sendable, CustomStringConvertible {
    case user(UserID)
    case partner(PartnerID)
    case platform

    public var user: UserID? {
        if case .user(let id) = self { return id }
        return nil
    }

    /// `user:ID`, `partner:ID` or `platform`.
    public var description: String {
        switch self {
        case .user(let id): "user:\(id)"
        case .partner(let id): "partner:\(id)"
        case .platform: "platform"
        }
    }

    public init?(text: some StringProtocol) {
        if text == "platform" {
            self = .platform
        } else if text.hasPrefix("user:"), let id = UserID(rawValue: String(text.dropFirst(5))) {
            self = .user(id)
        } else if text.hasPrefix("partner:"), let id = PartnerID(rawValue: String(text.dropFirst(8))) {
            self = .partner(id)
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let principal = Principal(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a principal: \(text)")
        }
        self = principal
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
