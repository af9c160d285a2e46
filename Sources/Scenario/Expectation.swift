public import InboxModel

/// What a scenario expects at a step (Protocol/SCENARIOS.md, "Expectations").
public enum Expectation: Hashable, Sendable {
    /// Every named device (all enrolled devices when empty) has everything the server has, and
    /// shows the same inbox (state digest) as any replica of its user that applied the same ops.
    case converged([String])
    /// Facts about one node (a device or `server`).
    case node(String, NodeExpectation)
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

    public init() {}
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
