import Causality
import Foundation
public import Logging
import Replica
public import ServiceLifecycle
public import SyncClient

/// The web UI's background sync: one live WebSocket session at a time, reconnecting with
/// ``Backoff`` (and jitter) when the link drops, pausing while the user works offline. Like
/// `outpost sync --watch`, in the same process as the UI, so the UI's own actions push at once
/// (``SyncMonitor/localChange()``). Without a server (`sync` is `nil`) it only waits. Runs until
/// graceful shutdown, then ends the UI's live event streams.
public struct SyncLoop: Service {
    public let sync: WebSocketSync?
    public let monitor: SyncMonitor
    public let backoff: Backoff
    public let logger: Logger

    public init(sync: WebSocketSync?, monitor: SyncMonitor, backoff: Backoff = Backoff(), logger: Logger) {
        self.sync = sync
        self.monitor = monitor
        self.backoff = backoff
        self.logger = logger
    }

    public func run() async throws {
        guard let sync else {
            try? await gracefulShutdown()
            monitor.close()
            return
        }
        try? await cancelWhenGracefulShutdown {
            var backoff = backoff
            var generator = SystemRandomNumberGenerator()
            while !Task.isCancelled {
                if monitor.isPaused {
                    try await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let started = Date()
                await session(sync)
                guard !Task.isCancelled else { return }
                if monitor.takeReconnectRequest() { backoff.reset() }
                let delay = backoff.next(sessionLasted: Date().timeIntervalSince(started), using: &generator)
                logger.info("sync: retrying", metadata: ["seconds": "\(String(format: "%.1f", delay))"])
                try await wait(seconds: delay, resetting: &backoff)
            }
        }
        monitor.close()
    }

    /// One live session, ended by the server, an error or the *work offline* switch.
    private func session(_ sync: WebSocketSync) async {
        monitor.set(.connecting)
        let monitor = monitor, logger = logger
        let localChanges = monitor.makeLocalChanges()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await sync.connect(untilCaughtUp: false, localChanges: localChanges) { event in
                        switch event {
                        case .connected:
                            monitor.set(.online)
                        case .caughtUp:
                            monitor.synced(atMs: sync.clock.nowMilliseconds())
                            monitor.changed()
                        case .applied(let ops, _):
                            if ops > 0 {
                                monitor.synced(atMs: sync.clock.nowMilliseconds())
                                monitor.changed()
                            }
                        case .acknowledged:
                            monitor.synced(atMs: sync.clock.nowMilliseconds())
                            monitor.changed()
                        case .helloResent, .errorSent, .sent:
                            break
                        }
                    }
                    monitor.set(.offline, error: "the server closed the connection")
                } catch {
                    logger.info("sync: offline", metadata: ["error": "\(error)"])
                    monitor.set(.offline, error: "\(error)")
                }
            }
            group.addTask {
                // The *work offline* switch ends the session.
                while !Task.isCancelled && !monitor.isPaused {
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            await group.next()
            group.cancelAll()
        }
        if monitor.isPaused { monitor.set(.paused) }
    }

    /// Sleeps `seconds`, or less when the user asks to reconnect now.
    private func wait(seconds: Double, resetting backoff: inout Backoff) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if monitor.takeReconnectRequest() {
                backoff.reset()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
