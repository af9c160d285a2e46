import Causality
import InboxModel
import Replica
import SyncCore
import SyncEngine
import Wire

/// A simulated node's replica as its sync driver sees it: the node's current replica (a crash
/// reopens it), with every applied batch and its ops written to the trace.
struct SimStore: SyncStore, @unchecked Sendable {
    // The simulator runs on one thread; the driver only needs the store to be `Sendable` for the
    // live runner, which the simulator never uses.
    let node: SimNode
    let simulator: Simulator
    /// Server only: the device on the other end, whose vector bases the server keeps.
    var peer: ReplicaID?

    func versionVector() throws -> VersionVector {
        try node.replica.versionVector()
    }

    func encodedOps(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [EncodedOp], more: Bool) {
        try node.replica.encodedOps(missingFrom: vector, limit: limit)
    }

    func vectorBase(matching digest: UInt64?) -> VersionVector? {
        guard let peer else { return node.replica.vectorBase(matching: digest) }
        return digest.flatMap { node.vectorBases.base($0, for: peer) }
    }

    func rememberVectorBase(_ vector: VersionVector?) {
        guard let peer else { return node.replica.rememberVectorBase(vector) }
        if let vector { node.vectorBases.remember(vector, for: peer) }
    }

    func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
        simulator.trace.add(2, "\(node.name) applies a batch of \(ops.count) ops")
        for op in ops {
            // Received ops are decoded already (decoding is how a frame is checked).
            if let decoded = op.op { simulator.trace.add(3, OpText.describe(decoded, simulator: simulator)) }
        }
        return try node.replica.applyChecked(ops, by: scope, nowMs: nowMs).vector
    }
}
