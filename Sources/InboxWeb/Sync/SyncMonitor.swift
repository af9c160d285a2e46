import Foundation
import Synchronization

/// What the web UI knows about its sync loop, shared between the loop, the routes and the live
/// event streams: the connection, the last sync, the user's *work offline* switch, and a counter
/// that moves whenever something visible may have changed (sync brought ops, the server
/// acknowledged some, the user acted in another tab).
///
/// Every property is behind one `Mutex`; subscribers get the counter through an `AsyncStream`.
public final class SyncMonitor: Sendable {
    /// Where the link to the server stands.
    public enum Connection: String, Sendable {
        /// The replica has no server (not enrolled): it works alone.
        case notEnrolled = "not enrolled"
        case connecting
        case online
        case offline
        /// The user switched to *work offline*.
        case paused = "offline (by choice)"
    }

    struct State {
        var connection: Connection
        var lastSyncMs: UInt64?
        var lastError: String?
        var paused = false
        var reconnectNow = false
        var generation = 0
        var subscribers: [UUID: AsyncStream<Int>.Continuation] = [:]
        var localChanges: AsyncStream<Void>.Continuation?
        var closed = false
    }

    private let state: Mutex<State>

    public init(enrolled: Bool) {
        state = Mutex(State(connection: enrolled ? .offline : .notEnrolled))
    }

    /// A snapshot of the connection, the last sync seen in this process and the last error.
    public var snapshot: (connection: Connection, lastSyncMs: UInt64?, lastError: String?, generation: Int) {
        state.withLock { ($0.connection, $0.lastSyncMs, $0.lastError, $0.generation) }
    }

    /// Whether the user switched to *work offline*.
    public var isPaused: Bool { state.withLock { $0.paused } }

    // MARK: The loop reports

    func set(_ connection: Connection, error: String? = nil) {
        state.withLock { state in
            guard state.connection != .notEnrolled else { return }
            state.connection = state.paused ? .paused : connection
            if let error { state.lastError = error } else if connection == .online { state.lastError = nil }
        }
        changed()
    }

    func synced(atMs now: UInt64) {
        state.withLock { $0.lastSyncMs = now }
    }

    /// A new per-session stream of "this replica has new local ops"; ``localChange()`` feeds it.
    func makeLocalChanges() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        state.withLock { state in
            state.localChanges?.finish()
            state.localChanges = continuation
        }
        return stream
    }

    /// Whether the loop should cut short its wait and reconnect (then clears the request).
    func takeReconnectRequest() -> Bool {
        state.withLock { state in
            defer { state.reconnectNow = false }
            return state.reconnectNow
        }
    }

    // MARK: The UI reports

    /// The user acted on this device: push at once, and refresh other tabs.
    public func localChange() {
        let continuation = state.withLock { $0.localChanges }
        continuation?.yield()
        changed()
    }

    /// Switches *work offline* on or off. Off: reconnect at once.
    public func setPaused(_ paused: Bool) {
        state.withLock { state in
            state.paused = paused
            state.reconnectNow = !paused
            if state.connection != .notEnrolled { state.connection = paused ? .paused : .connecting }
        }
        changed()
    }

    // MARK: Live updates

    /// Something visible may have changed: every subscriber gets the new generation.
    public func changed() {
        let (generation, subscribers) = state.withLock { state -> (Int, [AsyncStream<Int>.Continuation]) in
            state.generation += 1
            return (state.generation, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.yield(generation) }
    }

    /// Generations as they happen, until ``close()`` or `end()`; the newest only when the reader
    /// lags.
    public func subscribe() -> (changes: AsyncStream<Int>, end: @Sendable () -> Void) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let closed = state.withLock { state in
            if !state.closed { state.subscribers[id] = continuation }
            return state.closed
        }
        if closed { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return (stream, { continuation.finish() })
    }

    /// Ends every live stream (the server is shutting down).
    public func close() {
        let subscribers = state.withLock { state in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
