public import Logging
import SyncEngine

extension ServerStore {
    /// One round of the delivery worker, in this process and now: every brand's journal is read
    /// for owed messages, and every one that is due gets its attempt, as a running server's worker
    /// would do it (`outpost admin deliver`). Returns what became of each message tried.
    ///
    /// A server that delivers too (one started without `--hold-mail`) may try the same message at
    /// the same moment; run this against a server with `--hold-mail`, or none.
    public func deliverNow(configuration: DeliveryConfiguration, logger: Logger) async -> [DeliveryReport] {
        let worker = DeliveryWorker(store: self, hub: BrandHub(), configuration: configuration, metrics: ServerMetrics(),
                                    logger: logger)
        return await worker.round(stopping: OnceFlag())
    }
}
