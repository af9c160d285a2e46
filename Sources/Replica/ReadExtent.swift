public import InboxModel

/// How much of a thread a read covers (``Replica/markRead(_:_:)``). Thread order is stamp order,
/// so a read up to a message covers, per replica, its messages up to that point and no later
/// one: the read marker holds one dot per replica (Protocol/MERGE_RULES.md).
public enum ReadExtent: Hashable, Sendable {
    /// Every message: what opening the thread means.
    case all
    /// The first `count` messages in thread order (all of them when the thread has fewer); at least 1.
    case first(Int)
    /// Every message up to and including this one, in thread order.
    case through(MessageID)
}
