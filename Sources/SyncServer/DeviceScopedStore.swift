import Causality
import InboxModel
import Replica
import SyncCore
import SyncEngine
import Wire

/// The brand replica as one device's session sees it: the driver's ``SyncStore``, which counts the
/// ops a session moves and tells the ``BrandHub`` when a device's batch changed the replica (so
/// that the brand's other sessions push it). The check of a device's batch is the session's
/// (``DeviceScope``); the replica runs it inside the apply's transaction.
struct DeviceScopedStore: SyncStore {
    let replica: Replica
    let device: DeviceRecord
    let hub: BrandHub
    let metrics: ServerMetrics

    func versionVector() throws -> VersionVector {
        try replica.versionVector()
    }

    func encodedOps(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [EncodedOp], more: Bool) {
        let result = try replica.encodedOps(missingFrom: vector, limit: limit)
        metrics.update { $0.opsOut += result.ops.count }
        return result
    }

    func vectorBase(matching digest: UInt64?) -> VersionVector? {
        digest.flatMap { hub.vectorBases.base($0, for: device.replica) }
    }

    func rememberVectorBase(_ vector: VersionVector?) {
        if let vector { hub.vectorBases.remember(vector, for: device.replica) }
    }

    func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
        let (report, vector) = try replica.applyChecked(ops, by: scope, nowMs: nowMs)
        metrics.update { $0.opsIn += report.applied }
        if report.applied > 0 {
            // The device's own sessions need no push for the ops it sent (the scope admits only
            // its own), unless the batch released ops held earlier, which it may lack.
            let onlyItsOwn = scope != nil && report.releasedEarlier == 0
            hub.changed(device.brand, origin: onlyItsOwn ? device.replica : nil)
        }
        return vector
    }
}
