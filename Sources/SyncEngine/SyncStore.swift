public import Causality
import InboxModel
public import Replica
public import SyncCore
public import Wire

/// What the sync driver needs from the replica it syncs: its vector, the ops a peer lacks (as the
/// journal stores them, not decoded), and an all-or-nothing apply that journals the received bytes
/// as they are. A device syncs its `Replica` directly; the server wraps its brand
/// replica to count and announce what a device's session moves.
public protocol SyncStore: Sendable {
    func versionVector() throws -> VersionVector
    func encodedOps(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [EncodedOp], more: Bool)
    /// Applies a batch in one transaction and returns the vector after the commit. With a scope
    /// (the server taking a device's batch), the batch is first checked with
    /// ``DeviceScope/refusal(of:serverHas:nowMs:)`` against the store's vector inside that same
    /// transaction, and refused whole with `invalid_op`.
    func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector
    /// The vector bases of Protocol/SPEC.md, "Vector changes". A device: its one base (`digest`
    /// `nil`), the vector its next hello is written against. A server: the base with that digest
    /// among those it remembers for the session's device. `nil`: none (the vector goes whole).
    func vectorBase(matching digest: UInt64?) -> VersionVector?
    /// Remembers `vector` as agreed with the peer (``SyncAction/rememberBase(_:)``); `nil`
    /// forgets a device's base. Best effort: a base lost only makes the next hello cost a resend.
    func rememberVectorBase(_ vector: VersionVector?)
}

extension SyncStore {
    /// No bases: every hello and Welcome carries whole vectors.
    public func vectorBase(matching digest: UInt64?) -> VersionVector? { nil }
    public func rememberVectorBase(_ vector: VersionVector?) {}
}

extension Replica: SyncStore {
    /// The one base this replica keeps, in its sync state (a device has one server).
    public func vectorBase(matching digest: UInt64?) -> VersionVector? {
        guard let base = try? syncState().vectorBase else { return nil }
        return digest == nil || digest == base.digest ? base : nil
    }

    public func rememberVectorBase(_ vector: VersionVector?) {
        // Best effort: without it the next hello is answered with a request to send it whole.
        try? updateSyncState { $0.vectorBase = vector }
    }

    public func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
        try applyChecked(ops, by: scope, nowMs: nowMs).vector
    }

    /// Applies `ops` in one transaction, checked first against `scope` (if any) inside it; returns
    /// what it did and the version vector it committed.
    @discardableResult
    public func applyChecked(_ ops: [EncodedOp], by scope: DeviceScope?, nowMs: UInt64)
        throws(ReplicaError) -> (report: ApplyReport, vector: VersionVector) {
        guard let scope else { return try applyReturningVector(ops, checkingFirst: { _ in nil }) }
        let decoded: [Op]
        do {
            decoded = try ops.map { op throws(WireError) in try op.decoded() }
        } catch {
            throw ReplicaError(.invalidOp, "an op cannot be read: \(error)", underlying: error)
        }
        return try applyReturningVector(ops) { have in scope.refusal(of: decoded, serverHas: have, nowMs: nowMs) }
    }
}
