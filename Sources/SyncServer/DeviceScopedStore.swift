import Causality
import InboxModel
import Replica
import Synchronization
import SyncClient
import SyncCore

/// The brand replica as one device's session sees it: every batch from the device is checked
/// against the device's token scope before it is applied (Protocol/SERVER_API.md, "Validation").
/// A bad batch is refused whole with `invalid_op`; nothing of it is applied.
struct DeviceScopedStore: SyncStore {
    let replica: Replica
    let device: DeviceRecord
    let clock: any PhysicalClock
    let lock: BrandLock
    let hub: BrandHub
    let metrics: ServerMetrics

    func versionVector() throws -> VersionVector {
        try replica.versionVector()
    }

    func ops(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [Op], more: Bool) {
        let result = try replica.ops(missingFrom: vector, limit: limit)
        metrics.update { $0.opsOut += result.ops.count }
        return result
    }

    func applyBatch(_ ops: [Op]) throws -> VersionVector {
        let (applied, vector) = try lock.mutex.withLock { _ throws -> (Int, VersionVector) in
            try validate(ops, vector: replica.versionVector())
            let report = try replica.apply(ops)
            return (report.applied, try replica.versionVector())
        }
        metrics.update { $0.opsIn += applied }
        if applied > 0 { hub.changed(device.brand) }
        return vector
    }

    /// Checks every op against the device's scope (``DeviceScope``); `vector` is what the server has.
    func validate(_ ops: [Op], vector: VersionVector) throws(ReplicaError) {
        let scope = DeviceScope(replica: device.replica, user: device.user)
        if let refusal = scope.refusal(of: ops, serverHas: vector, nowMs: clock.nowMilliseconds()) {
            throw ReplicaError(.invalidOp, refusal)
        }
    }
}

/// Serialises check-then-apply on one brand replica, so that two sessions of one device cannot
/// both pass the contiguity check.
final class BrandLock: Sendable {
    let mutex = Mutex(())
}
