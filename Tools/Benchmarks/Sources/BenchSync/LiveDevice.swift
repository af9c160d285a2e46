import BenchSupport
import Foundation
import Replica
import SyncClient
import SyncEngine

/// A device enrolled through the real CLI, first-synced by a real `outpost sync`, then held open in
/// this process with a live WebSocket session that pushes the moment it is told to.
final class LiveDevice: @unchecked Sendable {
    // @unchecked: the mutable parts are guarded by `lock`.
    let replica: Replica
    private let sync: WebSocketSync
    private let lock = NSLock()
    private var waiters: [Int: (predicate: @Sendable (Replica) -> Bool, done: AsyncStream<Bool>.Continuation)] = [:]
    private var nextWaiter = 0
    private var session: Task<Void, Never>?
    private var started: AsyncStream<Void>.Continuation?
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    private init(replica: Replica, sync: WebSocketSync) {
        self.replica = replica
        self.sync = sync
        (changes, changed) = AsyncStream<Void>.makeStream()
    }

    static func enroll(user: String, server: ServerChild, data: String, folder: String) async throws(BenchError)
        -> LiveDevice {
        let path = "\(folder)/\(user)-\(UUID().uuidString).sqlite"
        try ChildProcess.enroll(user: user, data: data, server: server.url, replica: path)
        try ChildProcess.run(["sync", "--replica", path])
        return try CommitLatencyBench.wrap {
            let replica = try Replica.open(at: path)
            guard let token = try replica.syncState().token else { throw BenchError("no token in \(path)") }
            return LiveDevice(replica: replica, sync: WebSocketSync(replica: replica, serverURL: server.url, token: token))
        }
    }

    /// Connects live and returns once the first exchange has caught up.
    func start() async throws(BenchError) {
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        lock.withLock { started = readyContinuation }
        let sync = sync, changes = changes
        session = Task {
            try? await sync.connect(untilCaughtUp: false, localChanges: changes) { [weak self] event in
                self?.handle(event)
            }
        }
        let timeout = Task {
            try? await Task.sleep(for: .seconds(30))
            readyContinuation.finish()
        }
        defer { timeout.cancel() }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() != nil else { throw BenchError("the live session did not catch up") }
    }

    /// Pushes this device's new ops now.
    func pushNow() { changed.yield() }

    /// Resolves to `true` as soon as `predicate` holds after an apply from the server (checked
    /// after each applied batch), or `false` after 10 seconds. Registered before it returns, so
    /// nothing applied after this call is missed.
    func watch(_ predicate: @escaping @Sendable (Replica) -> Bool) -> Task<Bool, Never> {
        let (stream, done) = AsyncStream<Bool>.makeStream()
        lock.withLock {
            waiters[nextWaiter] = (predicate, done)
            nextWaiter += 1
        }
        return Task {
            let timeout = Task {
                try? await Task.sleep(for: .seconds(10))
                done.yield(false)
            }
            defer { timeout.cancel() }
            for await outcome in stream { return outcome }
            return false
        }
    }

    func stop() {
        session?.cancel()
        changed.finish()
    }

    private func handle(_ event: SyncEvent) {
        switch event {
        case .caughtUp:
            lock.withLock { started }?.yield()
        case .applied:
            let pending = lock.withLock { waiters }
            guard !pending.isEmpty else { return }
            for (id, waiter) in pending where waiter.predicate(replica) {
                waiter.done.yield(true)
                lock.withLock { _ = waiters.removeValue(forKey: id) }
            }
        default:
            break
        }
    }
}
