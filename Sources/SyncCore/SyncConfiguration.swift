/// How a session pages its ops.
public struct SyncConfiguration: Hashable, Sendable {
    /// Most ops in one batch.
    public var maxOpsPerBatch: Int
    /// Cap on a batch's op payload bytes before compression (a batch holds at least one op).
    public var maxBatchBytes: Int
    /// Most batches sent and not yet acknowledged (at least 1). With 2, the sender loads and
    /// encodes the next batch while the receiver applies the previous one.
    public var maxBatchesInFlight: Int

    public init(maxOpsPerBatch: Int = 2_000, maxBatchBytes: Int = 2 << 20, maxBatchesInFlight: Int = 2) {
        self.maxOpsPerBatch = max(1, maxOpsPerBatch)
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchesInFlight = max(1, maxBatchesInFlight)
    }

    /// The protocol's defaults (Protocol/SPEC.md): 2,000 ops or about 2 MiB a batch, two in flight.
    /// A process that lets the environment change them says so where it reads it
    /// (`SyncEngine`'s `SyncConfiguration.process`).
    public static let `default` = SyncConfiguration()
}
