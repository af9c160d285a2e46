/// How a session pages its ops.
public struct SyncConfiguration: Hashable, Sendable {
    /// Most ops in one batch.
    public var maxOpsPerBatch: Int
    /// Rough cap on a batch's encoded size before compression (text bytes plus per-op overhead).
    public var maxBatchBytes: Int
    /// Most batches sent and not yet acknowledged (at least 1). With 2, the sender loads and
    /// encodes the next batch while the receiver applies the previous one.
    public var maxBatchesInFlight: Int

    public init(maxOpsPerBatch: Int = 2_000, maxBatchBytes: Int = 2 << 20, maxBatchesInFlight: Int = 2) {
        self.maxOpsPerBatch = maxOpsPerBatch
        self.maxBatchBytes = maxBatchBytes
        self.maxBatchesInFlight = max(1, maxBatchesInFlight)
    }

    public static let `default` = SyncConfiguration()
}
