import Causality
import InboxModel
import Replica
import Synchronization
import SyncClient

/// The brand replica as one device's session sees it: every batch from the device is checked
/// against the device's token scope before it is applied (Protocol/SERVER_API.md, "Validation").
/// A bad batch is refused whole with `invalid_op`; nothing of it is applied.
struct DeviceScopedStore: SyncStore {
    /// How far ahead of the server's clock an op's stamp may be.
    static let maxFutureMs: UInt64 = 24 * 60 * 60 * 1000

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

    /// Checks every op against the device's scope; `vector` is what the server has.
    func validate(_ ops: [Op], vector: VersionVector) throws(ReplicaError) {
        let have = vector[device.replica]
        let now = clock.nowMilliseconds()
        var next = have + 1
        for op in ops {
            guard op.dot.replica == device.replica else {
                throw refuse(op, "was made by replica \(op.dot.replica), not by this device")
            }
            guard op.actor == .user(device.user) else {
                throw refuse(op, "names actor \(op.actor), not user:\(device.user)")
            }
            guard !op.kind.isServerOwned, op.kind != .redacted else {
                throw refuse(op, "is a \(op.kind) op, which only the server writes")
            }
            guard op.stamp.wall <= now &+ Self.maxFutureMs else {
                throw refuse(op, "has a stamp more than 24 h ahead of the server's clock")
            }
            if op.dot.counter <= have { continue }
            guard op.dot.counter == next else {
                throw refuse(op, "leaves a gap: the server expected counter \(next)")
            }
            // A device knows only the server's ops and its own: a dependency the server lacks is
            // forged, and would otherwise be held forever.
            if let missing = op.deps.first(where: { !vector.covers($0) }) {
                throw refuse(op, "depends on \(missing), which the server never had")
            }
            next += 1
        }
    }

    private func refuse(_ op: Op, _ why: String) -> ReplicaError {
        ReplicaError(.invalidOp, "op \(op.dot) \(why); the batch was not applied")
    }
}

/// Serialises check-then-apply on one brand replica, so that two sessions of one device cannot
/// both pass the contiguity check.
final class BrandLock: Sendable {
    let mutex = Mutex(())
}
