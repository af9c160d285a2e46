import Logging
import ServiceLifecycle

/// On shared storage: acts on what other nodes did (``ServerWakeup``) until graceful shutdown —
/// catches brands up and pushes, ends revoked devices' sessions; after a gap in the wake-ups,
/// does both for everything. What the ``ChangePoller`` does for the embedded store, without
/// polling.
struct WakeupService: Service {
    let hub: BrandHub
    let store: ServerStore
    let logger: Logger

    func run() async throws {
        guard let shared = store.shared else { return }
        for await wakeup in shared.wakeups().cancelOnGracefulShutdown() {
            switch wakeup {
            case .brandChanged(let brand):
                await hub.catchUp(brand, store, logger: logger)
            case .revoked:
                await hub.checkRevocations(store, logger: logger)
            case .resumed:
                await hub.catchUp(nil, store, logger: logger)
                await hub.checkRevocations(store, logger: logger)
            }
        }
    }
}
