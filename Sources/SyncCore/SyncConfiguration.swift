#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// The configuration sessions use unless told otherwise. `OUTPOST_SYNC_BATCH_OPS` (a whole
    /// number ≥ 1) sets `maxOpsPerBatch`: how the scenario harness's live mode makes multi-batch
    /// sessions with few ops (Protocol/SCENARIOS.md, "Live mode").
    public static let `default` = SyncConfiguration(maxOpsPerBatch: batchOpsFromEnvironment ?? 2_000)

    /// The environment variable that sets the default batch size.
    public static let batchOpsVariable = "OUTPOST_SYNC_BATCH_OPS"

    private static var batchOpsFromEnvironment: Int? {
        guard let text = getenv(batchOpsVariable).map({ String(cString: $0) }), let value = Int(text), value >= 1 else {
            return nil
        }
        return value
    }
}
