public import NIOPosix

extension NIOThreadPool {
    /// The pool that store work (SQLite) waits on, off Swift's shared pool. Larger than the core
    /// count (NIO's singleton has one thread per core): a store call that waits for a lock or the
    /// disk holds its thread while doing nothing, and every session and request of the process
    /// shares this pool.
    public static let store: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()
}
