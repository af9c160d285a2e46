public import Causality
import InboxModel
public import Replica
public import SyncServer

extension SharedStorage {
    /// Shared storage in a PostgreSQL database (opened and migrated by
    /// ``ServerDatabase/open(_:logger:)``): ``PostgresDirectory``, ``PostgresOutbox``, a
    /// ``PostgresBrandLog`` per brand, and wake-ups from the channels `outpost_brand_log` and `outpost_revocation`.
    public static func postgres(_ database: ServerDatabase, clock: any PhysicalClock = SystemClock())
        async throws(ServerError) -> SharedStorage {
        let directory = try await PostgresDirectory.open(database, clock: clock)
        return SharedStorage(
            directory: directory,
            outbox: PostgresOutbox(database: database),
            brandLog: { brand in PostgresBrandLog(database: database, brand: brand) },
            wakeups: { Self.wakeups(database) },
            description: database.url.description,
            check: { () async throws(ServerError) in try await database.check() })
    }

    /// Both channels as one stream of wake-ups.
    private static func wakeups(_ database: ServerDatabase) -> AsyncStream<ServerWakeup> {
        AsyncStream(bufferingPolicy: .bufferingNewest(10_000)) { continuation in
            let task = Task {
                // Each channel's payload made into its wake-up; a channel that resumed says so.
                let channels: [(String, @Sendable (String) -> ServerWakeup?)] = [
                    ("outpost_brand_log", { BrandID(rawValue: $0).map(ServerWakeup.brandChanged) }),
                    ("outpost_revocation", { UInt64($0).map { ServerWakeup.revoked(ReplicaID($0)) } }),
                ]
                await withTaskGroup(of: Void.self) { group in
                    for (channel, wakeup) in channels {
                        group.addTask {
                            for await event in database.notifications(on: channel) {
                                switch event {
                                case .notified(let payload): if let made = wakeup(payload) { continuation.yield(made) }
                                case .resumed: continuation.yield(.resumed)
                                }
                            }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
