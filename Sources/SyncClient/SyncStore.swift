public import Causality
public import InboxModel
public import Replica

/// What a sync driver needs from the replica it syncs: its vector, the ops a peer lacks, and an
/// all-or-nothing apply.
public protocol SyncStore: Sendable {
    func versionVector() throws -> VersionVector
    func ops(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [Op], more: Bool)
    /// Applies a batch in one transaction; returns the vector after the commit.
    func applyBatch(_ ops: [Op]) throws -> VersionVector
}

extension Replica: SyncStore {
    public func applyBatch(_ ops: [Op]) throws -> VersionVector {
        try apply(ops)
        return try versionVector()
    }
}
