public import Wire

/// Why a sync ended early.
public enum SyncFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The peer sent (or we sent it) an error frame.
    case refused(ErrorFrame)
    /// A frame could not be decoded.
    case badFrame(WireError)
    /// The connection closed before the first exchange was complete.
    case closed
    /// The local replica failed.
    case store(String)
    /// The server could not be reached (or the WebSocket upgrade was refused).
    case unreachable(String)

    public var description: String {
        switch self {
        case .refused(let error): "\(error.code): \(error.message)"
        case .badFrame(let error): "\(error.code): \(error)"
        case .closed: "the connection closed before the sync was complete"
        case .store(let message): "local replica: \(message)"
        case .unreachable(let message): "cannot reach the server: \(message)"
        }
    }

    /// Whether trying again later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .refused(let error): error.retryable
        case .badFrame: false
        case .closed, .store, .unreachable: true
        }
    }
}
