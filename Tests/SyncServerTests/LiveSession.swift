import HummingbirdTesting
import OutpostTestSupport
import Replica
import SyncClient

/// A device's live session in a test: ``open(_:token:_:)`` returns once the first exchange is done
/// (or once the session ended without it), ``stop()`` ends it.
struct LiveSession {
    let task: Task<SyncOutcome, any Error>
    let stopper: AsyncStream<Void>.Continuation
    /// Whether the first exchange completed.
    let caughtUp: Bool

    static func open(_ replica: Replica, token: String, _ client: some TestClientProtocol) async -> LiveSession {
        let (stop, stopper) = AsyncStream<Void>.makeStream()
        let (signals, signal) = AsyncStream<Bool>.makeStream()
        let task = Task {
            defer { signal.yield(false) }
            return try await client.sync(replica, token: token, stop: stop) { event in
                if case .caughtUp = event { signal.yield(true) }
            }
        }
        var first = false
        for await caughtUp in signals {
            first = caughtUp
            break
        }
        return LiveSession(task: task, stopper: stopper, caughtUp: first)
    }

    /// Ends the session; its outcome.
    @discardableResult
    func stop() async throws -> SyncOutcome {
        stopper.yield()
        return try await task.value
    }
}

/// ``OutpostTestSupport/eventually(_:timeout:_:)`` under its old name, for the hello-timeout
/// tests until they move to it; everything else calls that one with what it waits for.
func eventually(_ condition: () throws -> Bool) async throws {
    try await OutpostTestSupport.eventually("a condition", condition)
}
