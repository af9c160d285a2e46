import Synchronization

/// A flag set once, read from any task (the sync client's handshake deadline, the server's
/// sessions).
package final class OnceFlag: Sendable {
    private let value = Mutex(false)
    package init() {}
    package var isSet: Bool { value.withLock { $0 } }
    package func set() { value.withLock { $0 = true } }
    /// Sets the flag; true when this call set it (it was not set before).
    package func setIfUnset() -> Bool {
        value.withLock { set in
            defer { set = true }
            return !set
        }
    }
}
