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
}

extension Replica: SyncStore {
    public func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
        try applyChecked(ops, by: scope, nowMs: nowMs)
        return try versionVector()
    }

    /// Applies `ops` in one transaction, checked first against `scope` (if any) inside it.
    @discardableResult
    public func applyChecked(_ ops: [EncodedOp], by scope: DeviceScope?, nowMs: UInt64) throws(ReplicaError) -> ApplyReport {
        guard let scope else { return try apply(ops) }
        let decoded: [Op]
        do {
            decoded = try ops.map { op throws(WireError) in try op.decoded() }
        } catch {
            throw ReplicaError(.invalidOp, "an op cannot be read: \(error)", underlying: error)
        }
        return try apply(ops) { have in scope.refusal(of: decoded, serverHas: have, nowMs: nowMs) }
    }
}
