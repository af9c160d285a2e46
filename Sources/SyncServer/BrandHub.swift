import NIOPosix
import Causality
import Foundation
import InboxModel
import Logging
import Synchronization
import SyncEngine

/// Who is connected to which brand, and the news they need: "the brand replica has new ops"
/// (fed to the live driver, which pushes them) and "this device was revoked" (ends the session).
///
/// Changes are announced in-process right after a device's batch commits, and found by
/// ``poll(_:)`` otherwise: admin commands in another process write the brand replica, and the
/// poller compares each watched brand's version vector with the last one seen (any new op changes
/// it), and asks `server.sqlite` which connected devices were revoked.
final class BrandHub: Sendable {
    struct Subscription: Sendable {
        let id: UUID
        let changes: AsyncStream<Void>
        let revoked: AsyncStream<Void>
    }

    private struct Subscriber {
        let brand: BrandID
        let replica: ReplicaID
        let changes: AsyncStream<Void>.Continuation
        let revoked: AsyncStream<Void>.Continuation
    }

    private struct State {
        var subscribers: [UUID: Subscriber] = [:]
        var lastSeen: [BrandID: VersionVector] = [:]
    }

    private let state = Mutex(State())
    /// The vector bases each device's next hello may name (Protocol/SPEC.md, "Vector changes").
    let vectorBases = VectorBases()
    private let watchers = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    func subscribe(brand: BrandID, replica: ReplicaID) -> Subscription {
        let (changes, changesContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (revoked, revokedContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock {
            $0.subscribers[id] = Subscriber(brand: brand, replica: replica, changes: changesContinuation,
                                            revoked: revokedContinuation)
        }
        return Subscription(id: id, changes: changes, revoked: revoked)
    }

    func unsubscribe(_ id: UUID) {
        let gone = state.withLock { $0.subscribers.removeValue(forKey: id) }
        gone?.changes.finish()
        gone?.revoked.finish()
    }

    /// Wakes `continuation` whenever any brand's replica commits ops in this process (the delivery
    /// worker watches this way).
    func watch(_ continuation: AsyncStream<Void>.Continuation) -> UUID {
        let id = UUID()
        watchers.withLock { $0[id] = continuation }
        return id
    }

    func unwatch(_ id: UUID) {
        _ = watchers.withLock { $0.removeValue(forKey: id) }
    }

    /// The brand's replica committed new ops: every session of the brand pushes what its device lacks,
    /// except the sessions of `origin`, the device whose batch they were (it has them; another
    /// change that its device lacks comes with its own announcement).
    func changed(_ brand: BrandID, origin: ReplicaID? = nil) {
        let targets = state.withLock {
            $0.subscribers.values.filter { $0.brand == brand && $0.replica != origin }.map(\.changes)
        }
        for target in targets { target.yield() }
        for watcher in watchers.withLock({ Array($0.values) }) { watcher.yield() }
    }

    /// One polling round: announces brands whose vector moved and ends revoked devices' sessions.
    /// A brand or the revocation list that cannot be read is logged and tried again next round:
    /// until then its devices miss pushes made by other processes, or stay connected after a revoke.
    /// The reads wait on the store pool, never on Swift's shared pool.
    func poll(_ store: ServerStore, logger: Logger) async {
        let brands = state.withLock { state in Set(state.subscribers.values.map(\.brand)) }
        for brand in brands {
            let vector: VersionVector
            do {
                vector = try await NIOThreadPool.onStore { try store.brandReplica(brand).versionVector() }
            } catch {
                logger.error("change poll cannot read the brand replica", metadata: ["brand": "\(brand)", "error": "\(error)"])
                continue
            }
            let moved = state.withLock { state -> Bool in
                defer { state.lastSeen[brand] = vector }
                return state.lastSeen[brand].map { $0 != vector } ?? true
            }
            if moved { changed(brand) }
        }
        await checkRevocations(store, logger: logger)
    }

    /// Ends the sessions of connected devices that were revoked.
    func checkRevocations(_ store: ServerStore, logger: Logger) async {
        let replicas = state.withLock { $0.subscribers.values.map(\.replica) }
        let revoked: Set<ReplicaID>
        do {
            revoked = try await NIOThreadPool.onStore { try store.revoked(among: replicas) }
        } catch {
            logger.error("revocation check cannot read the devices", metadata: ["error": "\(error)"])
            return
        }
        guard !revoked.isEmpty else { return }
        let targets = state.withLock { $0.subscribers.values.filter { revoked.contains($0.replica) }.map(\.revoked) }
        for target in targets { target.yield() }
    }

    /// Another node committed to `brand`'s log (or, `nil`, to any brand's): brings this node's
    /// open replicas of it up to date and, where that brought ops, pushes them to the sessions.
    func catchUp(_ brand: BrandID?, _ store: ServerStore, logger: Logger) async {
        let open = store.replicas.withLock { cache in brand.map { cache[$0].map { [$0] } ?? [] } ?? Array(cache.values) }
        for replica in open {
            do {
                let applied = try await NIOThreadPool.onStore { try replica.catchUpWithMirror() }
                if applied > 0 { changed(replica.identity.brand) }
            } catch {
                logger.error("cannot catch up with the brand log", metadata: ["brand": "\(replica.identity.brand)",
                                                                              "error": "\(error)"])
            }
        }
    }
}
