import Causality
import InboxModel
import Replica
import SyncCore
import SyncEngine

/// A simulated node's replica as its sync driver sees it: the node's current replica (a crash
/// reopens it), with every applied batch and its ops written to the trace.
struct SimStore: SyncStore, @unchecked Sendable {
    // The simulator runs on one thread; the driver only needs the store to be `Sendable` for the
    // live runner, which the simulator never uses.
    let node: SimNode
    let simulator: Simulator

    func versionVector() throws -> VersionVector {
        try node.replica.versionVector()
    }

    func ops(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [Op], more: Bool) {
        try node.replica.ops(missingFrom: vector, limit: limit)
    }

    func applyBatch(_ ops: [Op], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
        simulator.trace.add(2, "\(node.name) applies a batch of \(ops.count) ops")
        for op in ops { simulator.trace.add(3, OpText.describe(op, simulator: simulator)) }
        try node.replica.applyChecked(ops, by: scope, nowMs: nowMs)
        return try node.replica.versionVector()
    }
}

extension CrashPoint {
    /// The driver's point for a crash armed for a sync; `now` is not one.
    var failpoint: Failpoint? {
        switch self {
        case .now: nil
        case .beforeCommit: .beforeCommit
        case .afterCommit: .afterCommit
        case .midBatch: .midBatch
        }
    }
}
