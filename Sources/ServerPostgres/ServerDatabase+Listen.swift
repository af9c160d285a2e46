import Logging
import PostgresNIO

/// What one PostgreSQL channel says to a node (``ServerDatabase/notifications(on:)``).
public enum DatabaseNotification: Sendable, Equatable {
    /// A notification's payload.
    case notified(String)
    /// The node was not listening for a while (the database went away, the connection broke)
    /// and listens again: notifications in between are lost, so whatever they would have
    /// triggered must be done for everything (every brand caught up, every session re-checked).
    case resumed
}

extension ServerDatabase {
    /// Listens on `channel` with a connection of the pool for as long as the stream is iterated,
    /// listening again after a second when the connection breaks (then ``DatabaseNotification/resumed``
    /// first). How nodes wake each other: a brand log's commit notifies `outpost_brand_log`
    /// with the brand, a revocation `outpost_revocation` with the device's id.
    public func notifications(on channel: String) -> AsyncStream<DatabaseNotification> {
        let client = client, logger = logger
        return AsyncStream(bufferingPolicy: .bufferingNewest(10_000)) { continuation in
            let task = Task {
                var first = true
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: channel) { notifications in
                                if !first { continuation.yield(.resumed) }
                                first = false
                                for try await notification in notifications {
                                    continuation.yield(.notified(notification.payload))
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("listening on a database channel failed; listening again in 1 s",
                                       metadata: ["channel": "\(channel)", "error": "\(Self.serverError(error).message)"])
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
