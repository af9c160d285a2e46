public import Causality
public import InboxModel

/// Rule 2 of Protocol/MERGE_RULES.md: one user's read state of one conversation.
///
/// - `marker` is a version vector: the user has read every message whose dot it covers.
///   Reads merge by pointwise maximum, so reads on two devices never undo each other.
/// - `unreadMarks` are the dots of *mark unread* ops not yet cleared. A read clears only the marks
///   it names (those its device had seen), so against a concurrent read, *unread* wins; a read made
///   after the mark clears it.
/// - A message the user wrote is never unread.
///
/// ```swift
/// var state = ReadState()
/// state.apply(MarkRead(conversation: id, marker: seen))
/// state.isUnread(messages: thread, viewer: dana)
/// ```
public struct ReadState: Hashable, Sendable, Codable {
    public var marker: VersionVector
    public var unreadMarks: Set<Dot>

    public init(marker: VersionVector = VersionVector(), unreadMarks: Set<Dot> = []) {
        self.marker = marker
        self.unreadMarks = unreadMarks
    }

    /// Applies a read: joins the marker, drops the marks it names.
    public mutating func apply(_ read: MarkRead) {
        marker.join(read.marker)
        unreadMarks.subtract(read.clears)
    }

    /// Applies a *mark unread* op whose dot is `mark`.
    public mutating func applyUnread(mark: Dot) {
        unreadMarks.insert(mark)
    }

    /// Whether a message by `author` that has just been applied is unread for `viewer` (`nil`: a
    /// replica of no user, for which nothing is unread). No marker can cover it yet — a read that
    /// covers a message causally follows it — so it is unread unless the viewer wrote it.
    public static func arrivesUnread(author: Principal, viewer: UserID?) -> Bool {
        guard let viewer else { return false }
        return author != .user(viewer)
    }

    /// Whether one message counts as unread for `viewer`.
    public func isUnread(message: MessageID, author: Principal, viewer: UserID) -> Bool {
        Self.arrivesUnread(author: author, viewer: viewer) && !marker.covers(message.dot)
    }

    /// Whether the conversation shows as unread for `viewer`: an uncleared mark, or a message by
    /// someone else that the marker does not cover.
    public func isUnread(messages: some Sequence<(id: MessageID, author: Principal)>, viewer: UserID) -> Bool {
        !unreadMarks.isEmpty || messages.contains { isUnread(message: $0.id, author: $0.author, viewer: viewer) }
    }

    /// The *mark unread* op for `conversation`, or `nil` when a mark is already live (it would
    /// change nothing the user sees).
    public func markingUnread(_ conversation: ConversationID) -> MarkUnread? {
        unreadMarks.isEmpty ? MarkUnread(conversation: conversation) : nil
    }

    /// The read op that marks everything in `messages` read and clears every known mark: what
    /// opening the thread on this device means. `nil` when it would change nothing.
    public func readingAll(of messages: some Sequence<MessageID>, in conversation: ConversationID) -> MarkRead? {
        var seen = VersionVector()
        for message in messages { seen.advance(message.dot) }
        let newEntries = VersionVector(seen.entries.filter { $0.value > marker[$0.key] })
        guard !newEntries.isEmpty || !unreadMarks.isEmpty else { return nil }
        return MarkRead(conversation: conversation, marker: newEntries, clears: unreadMarks.sorted())
    }
}
