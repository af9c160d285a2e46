public import Replica
import NIOPosix
import SyncEngine

extension Replica {
    /// Yields whenever this replica's version vector moves — new ops committed here by any process
    /// (a user action in another `outpost` command, a sync) — checking every `interval`. Feeds a
    /// live ``SyncDriver`` session's `localChanges`.
    public func changes(every interval: Duration = .milliseconds(200)) -> AsyncStream<Void> {
        AsyncStream { continuation in
            let task = Task {
                // A vector that cannot be read reads as `nil`, a change: the push it wakes meets the
                // error itself and reports it. The sleep fails only when cancelled.
                // Read on the store pool: this loop runs for as long as a live sync does.
                var last = try? await NIOThreadPool.onStore { try self.versionVector() }
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    let now = try? await NIOThreadPool.onStore { try self.versionVector() }
                    if now != last {
                        last = now
                        continuation.yield()
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
