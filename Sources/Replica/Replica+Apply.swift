public import Causality
public import InboxModel
public import Wire
internal import GRDB

extension Replica {
    /// Applies ops made elsewhere (or restored from a backup) through the same path as local ones.
    ///
    /// The whole batch is one transaction: if any op fails its checks, nothing of the batch is
    /// applied. Ops already here are skipped; ops whose causal past is missing are held and applied
    /// once it arrives.
    @discardableResult
    public func apply(_ ops: [Op]) throws(ReplicaError) -> ApplyReport {
        var encoded: [EncodedOp] = []
        encoded.reserveCapacity(ops.count)
        for op in ops { encoded.append(try OpCodec.encoded(op)) }
        return try apply(encoded, checkingFirst: { _ in nil })
    }

    /// Applies ops in their payload bytes (a sync batch), which the journal stores as they are,
    /// like ``apply(_:)``, after `check` has seen this replica's version vector inside the same
    /// write transaction: a refusal (its text) throws `invalid_op` and applies nothing. Nothing can
    /// commit between the check and the apply, so a check that depends on what the replica has
    /// (contiguity of a device's ops) holds for the apply.
    @discardableResult
    public func apply(_ ops: [EncodedOp],
                      checkingFirst check: (VersionVector) -> String? = { _ in nil }) throws(ReplicaError) -> ApplyReport {
        try applyReturningVector(ops, checkingFirst: check).report
    }

    /// ``apply(_:checkingFirst:)``, which also returns the version vector it committed (a sync batch
    /// answers with it; read here, it costs no second transaction).
    public func applyReturningVector(_ ops: [EncodedOp], checkingFirst check: (VersionVector) -> String?)
        throws(ReplicaError) -> (report: ApplyReport, vector: VersionVector) {
        let identity = identity
        let result = try ReplicaError.wrap {
            try writer.write { db in
                try mirrored(db) { recordsAppended in
                    var applier = try OpApplier(db: db, identity: identity, recordsAppended: recordsAppended)
                    if let refusal = check(applier.vector) { throw ReplicaError(.invalidOp, refusal) }
                    for op in ops { try applier.submit(op) }
                    let report = try applier.finish()
                    return ((report: report, vector: applier.vector), applier.appended)
                }
            }
        }
        if result.report.applied > 0 { unmergedOps.withLock { $0 += result.report.applied } }
        return result
    }

    /// Makes one local op from what `build` decides, and applies it, in one transaction.
    ///
    /// `build` sees the database inside the transaction (to read current state, such as the draft
    /// versions to supersede) and returns the op's body, or `nil` when there is nothing to change.
    func perform<Result>(
        actor: Principal,
        _ build: (Database, Materializer) throws -> (OpBody, Result)?
    ) throws(ReplicaError) -> (Op, Result)? {
        let identity = identity
        let physical = clock.nowMilliseconds()
        return try ReplicaError.wrap {
            try writer.write { db -> (Op, Result)? in
                try mirrored(db) { recordsAppended -> ((Op, Result)?, appended: [EncodedOp]) in
                    let materializer = Materializer(db: db, viewer: identity.viewer)
                    guard let (body, result) = try build(db, materializer) else { return (nil, []) }
                    var applier = try OpApplier(db: db, identity: identity, recordsAppended: recordsAppended)
                    let op = applier.makeLocalOp(actor: actor, body: body, physical: physical)
                    try applier.submit(op, encoded: try OpCodec.encoded(op))
                    _ = try applier.finish()
                    return ((op, result), applier.appended)
                }
            }
        }
    }

    /// The viewer, or a `no_viewer` error for a replica that belongs to no user.
    func requireViewer() throws(ReplicaError) -> UserID {
        guard let viewer = identity.viewer else {
            throw ReplicaError(.noViewer, "this replica belongs to no user; it has no drafts or read state")
        }
        return viewer
    }
}
