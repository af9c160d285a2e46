/// How a session pages its ops.
public struct SyncConfiguration: Hashable, Sendable {
    /// Most ops in one batch.
    public var maxOpsPerBatch: Int
    /// Rough cap on a batch's encoded size before compression (text bytes plus per-op overhead).
    public var maxBatchBytes: Int

    public init(maxOpsPerBatch: Int = 2_000, maxBatchBytes: Int = 2 << 20) {
        self.maxOpsPerBatch = maxOpsPerBatch
        self.maxBatchBytes = maxBatchBytes
    }

    public static let `default` = SyncConfiguration()
}
