internal import GRDB

extension Replica {
    /// Applied ops after which a merge of the search indexes pays (``mergeSearchIndexIfNeeded()``):
    /// about a sync batch and a half.
    public static let searchMergeThreshold = 2_000

    /// Merges the segments of the search indexes (`messages_fts`, `conversations_fts`) until each
    /// is one, `pagesPerStep` pages of work per write transaction, so that a writer waits at most
    /// one step. Returns the number of transactions.
    ///
    /// Why: FTS5 writes each transaction's new rows as a new segment and merges segments a little
    /// at a time as later transactions come. After a first sync or a long catch-up (dozens of
    /// batches) the index is left in many segments, and a search reads every one of them: on a
    /// million messages, a prefix search took 6–10 ms in 9–12 segments and 3.3 ms in one. This is
    /// FTS5's incremental `optimize` (the `merge` command with a negative page count); the rows
    /// found and their order do not change.
    @discardableResult
    public func mergeSearchIndex(pagesPerStep: Int = 2_000) throws(ReplicaError) -> Int {
        guard pagesPerStep > 0 else { throw ReplicaError(.invalidArgument, "pagesPerStep must be positive") }
        var steps = 0
        var worked = true
        while worked {
            worked = try ReplicaError.wrap {
                try writer.write { db -> Bool in
                    var any = false
                    for table in ["messages_fts", "conversations_fts"] {
                        let before = db.totalChangesCount
                        try db.execute(sql: "INSERT INTO \(table) (\(table), rank) VALUES ('merge', ?)",
                                       arguments: [-pagesPerStep])
                        // FTS5: a merge that did work moves the total changes by 2 or more.
                        if db.totalChangesCount - before >= 2 { any = true }
                    }
                    return any
                }
            }
            steps += 1
        }
        unmergedOps.withLock { $0 = 0 }
        return steps
    }

    /// ``mergeSearchIndex(pagesPerStep:)`` if this process has applied at least
    /// ``searchMergeThreshold`` received ops since the last merge; `true` if it merged. A device's
    /// sync calls it whenever it has caught up.
    @discardableResult
    public func mergeSearchIndexIfNeeded() throws(ReplicaError) -> Bool {
        guard unmergedOps.withLock({ $0 }) >= Self.searchMergeThreshold else { return false }
        try mergeSearchIndex()
        return true
    }
}
