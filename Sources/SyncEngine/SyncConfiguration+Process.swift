#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import SyncCore

extension SyncConfiguration {
    /// The environment variable that sets a process's batch size.
    public static let batchOpsVariable = "OUTPOST_SYNC_BATCH_OPS"

    /// The configuration a real `outpost` process's sessions use: ``SyncConfiguration/default``, with
    /// `maxOpsPerBatch` from `OUTPOST_SYNC_BATCH_OPS` (a whole number ≥ 1) when it is set — how the
    /// scenario harness's live mode makes multi-batch sessions with few ops (Protocol/SCENARIOS.md,
    /// "Live mode"). Read once, when first used.
    public static let process: SyncConfiguration = {
        guard let text = getenv(batchOpsVariable).map({ String(cString: $0) }), let value = Int(text), value >= 1 else {
            return .default
        }
        return SyncConfiguration(maxOpsPerBatch: value)
    }()
}
