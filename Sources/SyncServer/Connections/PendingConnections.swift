import Synchronization

/// The connections that have not been answered yet: open TCP connections whose first request has
/// not got the start of a response (Protocol/SERVER_API.md, "Timeouts and connection limits").
///
/// Nobody is known on such a connection yet (its token, if any, is in the request it has not
/// finished sending), so these are what a client that opens sockets and sends nothing, or sends a
/// byte a second, holds. There may be at most ``capacity`` of them: a new connection past that
/// closes the oldest one, so that a flood of silent sockets can delay, but never lock out, clients
/// that send their request at once.
final class PendingConnections: Sendable {
    /// The most connections that may wait for their first answer at once.
    let capacity: Int
    private struct State {
        var nextID = 0
        /// Waiting connections by id (ids grow, so the smallest is the oldest), with what closes each.
        var waiting: [Int: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Registers a new connection and returns its id; when that makes more than ``capacity``, the
    /// oldest waiting connection's `close` runs (outside the lock).
    func opened(close: @escaping @Sendable () -> Void) -> Int {
        let (id, evicted) = state.withLock { state -> (Int, (@Sendable () -> Void)?) in
            let id = state.nextID
            state.nextID += 1
            var evicted: (@Sendable () -> Void)?
            if state.waiting.count >= capacity, let oldest = state.waiting.keys.min() {
                evicted = state.waiting.removeValue(forKey: oldest)
            }
            state.waiting[id] = close
            return (id, evicted)
        }
        evicted?()
        return id
    }

    /// The connection got its first answer (or closed): it no longer counts.
    func answered(_ id: Int) {
        state.withLock { _ = $0.waiting.removeValue(forKey: id) }
    }

    /// How many connections wait for their first answer now.
    var count: Int { state.withLock { $0.waiting.count } }
}
