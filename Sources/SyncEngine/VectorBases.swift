public import Causality
import Synchronization

/// The vector bases a server remembers for each device (Protocol/SPEC.md, "Vector changes"): the
/// last few vectors agreed in the device's sessions, by digest, so that the device's next hello
/// can send its vector as changes against one of them. Memory only: after a restart, or on
/// another server node, a device's first hello is asked for again whole.
public final class VectorBases: Sendable {
    /// Bases kept per device, newest last: enough for a session whose last frames were lost.
    public static let perDevice = 8

    private let state = Mutex<[ReplicaID: [(digest: UInt64, vector: VersionVector)]]>([:])

    public init() {}

    /// Remembers `vector` as agreed with `device`, forgetting its oldest base beyond ``perDevice``.
    public func remember(_ vector: VersionVector, for device: ReplicaID) {
        let digest = vector.digest
        state.withLock { state in
            var bases = state[device, default: []]
            if bases.last?.digest == digest { return }
            bases.removeAll { $0.digest == digest }
            bases.append((digest, vector))
            if bases.count > Self.perDevice { bases.removeFirst(bases.count - Self.perDevice) }
            state[device] = bases
        }
    }

    /// The base of `device` with this digest, if it is still kept.
    public func base(_ digest: UInt64, for device: ReplicaID) -> VersionVector? {
        state.withLock { state in state[device]?.last { $0.digest == digest }?.vector }
    }
}
