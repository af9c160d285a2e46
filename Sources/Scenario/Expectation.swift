import Foundation
public import InboxModel

/// What a scenario expects at a step (Protocol/SCENARIOS.md, "Expectations").
public enum Expectation: Hashable, Sendable {
    /// Every named device (all enrolled devices when empty) has everything the server has, and
    /// shows the same inbox (state digest) as any replica of its user that applied the same ops.
    case converged([String])
    /// Facts about one node (a device or `server`).
    case node(String, NodeExpectation)
    /// Facts about the mail partners received (`expect: mail`).
    case mail(MailExpectation)
}

/// Facts to check on one replica; absent fields are not checked.
public struct NodeExpectation: Hashable, Sendable {
    public var thread: String?
    /// Message bodies of the thread, in thread order.
    public var messages: [String]?
    /// Authors of the thread's messages in order, in principal form (`user:dana`, `partner:p1`).
    public var authors: [String]?
    /// How many messages the thread has; 0 also means "this replica does not have the thread".
    public var count: Int?
    public var unread: Bool?
    /// A new-message draft by its label, for `draft`.
    public var compose: String?
    /// The draft of `thread` (or of `compose`).
    public var draft: DraftExpectation?
    /// A partner's partnership status.
    public var partner: PartnerID?
    public var status: PartnershipStatus?
    /// Thread labels in inbox order, newest first (only labelled threads are compared).
    public var inbox: [String]?
    /// How many conversations the inbox has.
    public var conversations: Int?
    /// A device: how many ops it holds that the server does not have yet (what its next sync
    /// must push), counted from the two version vectors.
    public var pending: Int?
    /// The delivery state of each of the thread's messages, in thread order.
    public var delivery: [DeliveryExpectation]?
    /// A device, about its last `sync` step: sync sessions it opened (hello frames it sent).
    public var sessions: ValueRange?
    /// Ops it sent up and received, in ops frames (a frame sent again counts again).
    public var opsUp: ValueRange?
    public var opsDown: ValueRange?
    /// Bytes of the sync frames it sent and received (whole frames: header, compressed payload).
    public var bytesUp: ValueRange?
    public var bytesDown: ValueRange?
    /// All those bytes over the size of the ops they carried, compressed together with zlib.
    public var wireRatio: ValueRange?
    /// A device, now: the share of the server's ops it holds, in percent.
    public var progress: ValueRange?

    public init() {}

    /// Whether any of the measurement fields is set.
    var measures: Bool {
        sessions != nil || opsUp != nil || opsDown != nil || bytesUp != nil || bytesDown != nil || wireRatio != nil
            || progress != nil
    }
}

/// One message's expected delivery state; `state == nil`: the message has none (a partner's or the
/// platform's message).
public struct DeliveryExpectation: Hashable, Sendable, CustomStringConvertible {
    public var state: DeliveryState?
    /// Text the state's reason must contain.
    public var reason: String?

    public init(state: DeliveryState?, reason: String? = nil) {
        self.state = state
        self.reason = reason
    }

    public var description: String {
        guard let state else { return "-" }
        return reason.map { "\(state.rawValue) (\($0))" } ?? state.rawValue
    }
}

/// What partners received by mail (`expect: mail`): every copy the delivery handed over, filtered
/// by partner and thread.
public struct MailExpectation: Hashable, Sendable {
    /// Only mail to this partner's contact address.
    public var to: PartnerID?
    /// Only mail of this thread's messages.
    public var thread: String?
    /// How many messages were mailed (each counted once however many copies).
    public var count: Int?
    /// How many copies of each message were handed over.
    public var copies: Int?
    /// The bodies of the mailed messages, in thread order (with `thread`) or in the order mailed.
    public var messages: [String]?
    /// Every mail's `Subject:`.
    public var subject: String?
    /// Every mail after the thread's first message names the first in `References:` and a message
    /// before it, of the same thread, in `In-Reply-To:`.
    public var threaded: Bool?

    public init() {}
}

/// A number a measurement must fall in: `12`, `10..20`, `..1.2`, `40..`; a `%` after a number is
/// allowed (progress).
public struct ValueRange: Hashable, Sendable, CustomStringConvertible {
    public var lower: Double?
    public var upper: Double?

    public init(lower: Double?, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }

    /// `nil` for text that is not a range.
    public init?(_ text: String) {
        func number(_ part: String) -> Double?? {
            var clean = part.trimmingCharacters(in: .whitespaces)
            if clean.hasSuffix("%") { clean.removeLast() }
            if clean.isEmpty { return .some(nil) }
            guard let value = Double(clean), value.isFinite, value >= 0 else { return nil }
            return .some(value)
        }
        let parts = text.components(separatedBy: "..")
        switch parts.count {
        case 1:
            guard let value = number(parts[0]), let value else { return nil }
            lower = value
            upper = value
        case 2:
            guard let low = number(parts[0]), let high = number(parts[1]),
                  low != nil || high != nil else { return nil }
            if let low, let high, low > high { return nil }
            lower = low
            upper = high
        default:
            return nil
        }
    }

    public func contains(_ value: Double) -> Bool {
        (lower.map { value >= $0 } ?? true) && (upper.map { value <= $0 } ?? true)
    }

    public var description: String {
        func text(_ value: Double?) -> String {
            guard let value else { return "" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        if lower == upper { return text(lower) }
        return "\(text(lower))..\(text(upper))"
    }
}

/// What the draft of a thread (or of a compose label) should be.
public enum DraftExpectation: Hashable, Sendable {
    /// There is no live version.
    case none
    /// One version with this text, or several that merge to it.
    case text(String)
    /// Versions that do not merge: their texts, in any order (empty: any conflict).
    case conflict([String])
    /// Not in conflict: one live version (any text), or none.
    case notConflicted
}
