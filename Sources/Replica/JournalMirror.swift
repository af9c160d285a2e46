public import Wire

/// A log outside the replica that must hold every op the replica commits before the commit, in
/// one order shared by every replica that mirrors it: the server's brand log when the server runs
/// on PostgreSQL (several nodes, each with its own replica of the brand built from the one log;
/// ARCHITECTURE.md, "Server storage"). A replica opened with a mirror
/// (``Replica/open(at:clock:mirror:)``) wraps each of its op-writing transactions:
///
/// 1. ``begin(after:)`` with the log position the replica reached last (kept in its `meta` as
///    `mirror_position`): the mirror takes the log's write lock, held until ``commit(_:)`` or
///    ``abort()``, and returns the ops the log has after that position, which the replica applies
///    first, in the same transaction, as received ops;
/// 2. the transaction's own work (a received batch with its check, local or server ops), which
///    now sees everything the log holds;
/// 3. ``commit(_:)`` with the ops the work appended, in order, before the replica commits: the
///    mirror makes them durable in the log (or throws, and the replica's transaction rolls back)
///    and returns the new position, stored in the same transaction. A crash between the log's
///    commit and the replica's costs nothing: the next ``begin(after:)`` brings those ops back.
///
/// ``read(after:)`` serves catch-ups without the lock (``Replica/catchUpWithMirror()``). The
/// methods block their thread: replicas run on the store pool, never on Swift's shared pool.
/// A replica calls its mirror from one transaction at a time.
public protocol JournalMirror: Sendable {
    /// Takes the log's write lock and returns what the log holds after `position`, in log order,
    /// with the position after it.
    func begin(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64)

    /// Appends `ops` to the log, commits and releases the lock; returns the log's new position.
    func commit(_ ops: [EncodedOp]) throws -> UInt64

    /// Releases the lock without appending (the replica's transaction failed).
    func abort()

    /// What the log holds after `position`, without the lock (committed ops only), with the
    /// position after them.
    func read(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64)
}
