public import Causality

/// A conversation: named by the dot of the op that started it, so that the author's device makes
/// the id and a retried or duplicated op can never make a second conversation.
public struct ConversationID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let dot: Dot
    public init(_ dot: Dot) { self.dot = dot }
    public init?(text: some StringProtocol) {
        guard let dot = Dot(text: text) else { return nil }
        self.dot = dot
    }
    public var description: String { dot.description }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.dot < rhs.dot }
    public init(from decoder: any Decoder) throws { dot = try Dot(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try dot.encode(to: encoder) }
}

/// A message: named by the dot of the op that posted it.
public struct MessageID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let dot: Dot
    public init(_ dot: Dot) { self.dot = dot }
    public init?(text: some StringProtocol) {
        guard let dot = Dot(text: text) else { return nil }
        self.dot = dot
    }
    public var description: String { dot.description }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.dot < rhs.dot }
    public init(from decoder: any Decoder) throws { dot = try Dot(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try dot.encode(to: encoder) }
}

/// What a draft belongs to: a conversation, or a new message being composed.
///
/// A compose draft is named by the dot of the op that first saved it; sending it starts a new
/// conversation.
public enum DraftKey: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    case conversation(ConversationID)
    case compose(Dot)

    public var dot: Dot {
        switch self {
        case .conversation(let id): id.dot
        case .compose(let dot): dot
        }
    }

    public var isCompose: Bool {
        if case .compose = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .conversation(let id): id.description
        case .compose(let dot): "new:\(dot)"
        }
    }

    /// Parses `replica:n` (a conversation) or `new:replica:n` (a compose draft).
    public init?(text: some StringProtocol) {
        if text.hasPrefix("new:") {
            guard let dot = Dot(text: text.dropFirst(4)) else { return nil }
            self = .compose(dot)
        } else {
            guard let id = ConversationID(text: text) else { return nil }
            self = .conversation(id)
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let key = DraftKey(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a draft key: \(text)")
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
