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
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in database.notifications(on: "outpost_brand_log") {
                            switch event {
                            case .notified(let payload):
                                if let brand = BrandID(rawValue: payload) { continuation.yield(.brandChanged(brand)) }
                            case .resumed:
                                continuation.yield(.resumed)
                            }
                        }
                    }
                    group.addTask {
                        for await event in database.notifications(on: "outpost_revocation") {
                            switch event {
                            case .notified(let payload):
                                if let id = UInt64(payload) { continuation.yield(.revoked(ReplicaID(id))) }
                            case .resumed:
                                continuation.yield(.resumed)
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
