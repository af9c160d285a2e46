public import NIOPosix

extension NIOThreadPool {
    /// The pool that store work (SQLite, files) waits on, off Swift's shared pool. Larger than the
    /// core count (NIO's singleton has one thread per core): a store call that waits for a lock or
    /// the disk holds its thread while doing nothing, and every session and request of the process
    /// shares this pool.
    public static let store: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Runs `body` on ``store`` and waits for it without holding a thread of Swift's shared pool
    /// (two threads on a two-core machine: one blocking call there stalls every task). Every
    /// blocking store call made from async code goes through here or through ``store``.
    @discardableResult
    public static func onStore<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await store.runIfActive(body)
    }
}
