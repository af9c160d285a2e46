import Synchronization

/// A flag set once, read from any task (the sync client's handshake deadline, the server's
/// sessions).
public final class OnceFlag: Sendable {
    private let value = Mutex(false)
    public init() {}
    public var isSet: Bool { value.withLock { $0 } }
    public func set() { value.withLock { $0 = true } }
    /// Sets the flag; true when this call set it (it was not set before).
    public func setIfUnset() -> Bool {
        value.withLock { set in
            defer { set = true }
            return !set
        }
    }
}
