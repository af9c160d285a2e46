import Wire
internal import GRDB

extension Replica {
    /// Inside a write transaction: with a ``JournalMirror``, applies what the log holds beyond this
    /// replica's position (under the log's lock), runs `work` with an applier that records what it
    /// appends, hands those ops to the log before the local commit and stores the log's new
    /// position in the same transaction; on any failure, releases the log's lock and rethrows
    /// (the transaction rolls back). Without a mirror, runs `work` alone.
    func mirrored<T>(_ db: Database, _ work: (_ recordsAppended: Bool) throws -> (T, appended: [EncodedOp])) throws -> T {
        guard let mirror else { return try work(false).0 }
        let (missing, _) = try mirror.begin(after: try Self.mirrorPosition(db))
        do {
            try applyFromLog(missing, db)
            let (result, appended) = try work(true)
            let position = try mirror.commit(appended)
            try Self.storeMirrorPosition(position, db)
            return result
        } catch {
            mirror.abort()
            throw error
        }
    }

    /// Brings this replica up to what its mirror's log has committed (without the log's lock),
    /// a page (what ``JournalMirror/read(after:)`` returns) per transaction: what a server node does
    /// when it opens a brand and when another node wrote, so that the tail its next write starts
    /// with is short. Returns how many ops it applied; without a mirror, 0.
    @discardableResult
    public func catchUpWithMirror() throws(ReplicaError) -> Int {
        guard let mirror else { return 0 }
        var total = 0
        while true {
            let applied = try ReplicaError.wrap {
                try writer.write { db -> Int? in
                    let (missing, position) = try mirror.read(after: try Self.mirrorPosition(db))
                    guard !missing.isEmpty else { return nil }
                    let report = try applyFromLog(missing, db)
                    try Self.storeMirrorPosition(position, db)
                    return report.applied
                }
            }
            guard let applied else { break }
            total += applied
            if applied > 0 { unmergedOps.withLock { $0 += applied } }
        }
        return total
    }

    /// The position in its mirror's log this replica has applied up to (0: none).
    public func mirrorPosition() throws(ReplicaError) -> UInt64 {
        try ReplicaError.wrap { try writer.read { db in try Self.mirrorPosition(db) } }
    }

    @discardableResult
    private func applyFromLog(_ ops: [EncodedOp], _ db: Database) throws -> ApplyReport {
        guard !ops.isEmpty else { return ApplyReport() }
        var applier = try OpApplier(db: db, identity: identity)
        for op in ops { try applier.submit(op) }
        let report = try applier.finish()
        guard report.held == 0 else {
            throw ReplicaError(.corrupt, "the mirrored log holds \(report.held) op(s) whose causal past it lacks")
        }
        return report
    }

    static func mirrorPosition(_ db: Database) throws -> UInt64 {
        let text = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'mirror_position'"))
        return text.flatMap(UInt64.init) ?? 0
    }

    static func storeMirrorPosition(_ position: UInt64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('mirror_position', ?)")
            .execute(arguments: [String(position)])
    }
}
