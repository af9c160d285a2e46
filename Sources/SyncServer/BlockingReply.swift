import Dispatch
import Synchronization

/// A result one thread waits for and another sets once: how the store pool's threads, which may
/// block, wait for work done by async code (postgres-nio's queries). Never wait on one from
/// Swift's shared pool, whose threads the async side needs.
package final class BlockingReply<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    package init() {}

    /// Sets the result; only the first call counts.
    package func set(_ value: Result<T, any Error>) {
        let first = result.withLock { current -> Bool in
            guard current == nil else { return false }
            current = value
            return true
        }
        if first { ready.signal() }
    }

    /// Blocks the calling thread until the result is set, and returns or throws it.
    package func wait() throws -> T {
        ready.wait()
        ready.signal()  // later waiters see it too
        return try result.withLock { $0! }.get()
    }

    /// Runs `body` on a task and blocks the calling thread until it has finished.
    package static func run(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let reply = BlockingReply<T>()
        Task {
            do { reply.set(.success(try await body())) } catch { reply.set(.failure(error)) }
        }
        return try reply.wait()
    }
}
