public import Causality
public import InboxModel
public import Replica

/// Where a server node keeps what several nodes share, instead of its data directory: the
/// directory (``ServerDirectory``), each brand's log (a ``JournalMirror`` that the node's replica
/// of the brand mirrors) and the wake-ups between nodes. Module ServerPostgres makes one for a
/// PostgreSQL database (`outpost server --postgres URL`); without one, ``ServerStore`` is the
/// embedded store (everything in the data directory). ARCHITECTURE.md, "Server storage".
public struct SharedStorage: Sendable {
    /// Brands, users, devices, codes, tokens.
    public var directory: any ServerDirectory
    /// The delivery worker's bookkeeping, shared by every node's worker.
    public var outbox: any DeliveryOutbox
    /// The log of a brand, for the node's replica of it.
    public var brandLog: @Sendable (BrandID) -> any JournalMirror
    /// What other nodes did, for as long as the stream is iterated.
    public var wakeups: @Sendable () -> AsyncStream<ServerWakeup>
    /// Where it lives, for logs (never with a password).
    public var description: String
    /// Whether the shared storage answers now (`GET /healthz`); throws `storage_error` if not.
    public var check: @Sendable () async throws(ServerError) -> Void

    public init(directory: any ServerDirectory, outbox: any DeliveryOutbox, brandLog: @escaping @Sendable (BrandID) -> any JournalMirror,
                wakeups: @escaping @Sendable () -> AsyncStream<ServerWakeup>, description: String,
                check: @escaping @Sendable () async throws(ServerError) -> Void) {
        self.directory = directory
        self.outbox = outbox
        self.brandLog = brandLog
        self.wakeups = wakeups
        self.description = description
        self.check = check
    }
}

/// What another node did that this node must act on.
public enum ServerWakeup: Sendable, Equatable {
    /// A brand's log grew: catch the brand up and push to its sessions.
    case brandChanged(BrandID)
    /// A device was revoked: end its sessions.
    case revoked(ReplicaID)
    /// The node missed wake-ups for a while: act as if every brand changed and every device was revoked.
    case resumed
}
