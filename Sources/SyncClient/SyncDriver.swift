public import Causality
public import InboxModel
public import Replica
public import SyncCore
public import Wire

/// What happened during a sync, for status and progress.
public enum SyncEvent: Sendable, Hashable {
    case connected(peer: ReplicaID, clockSkewMs: Int64, peerHave: VersionVector)
    /// A batch from the peer was applied: its op count, and whether more follow.
    case applied(ops: Int, more: Bool)
    /// The peer acknowledged everything this vector covers.
    case acknowledged(VersionVector)
    case caughtUp
}

/// The server's answer to a hello it accepts.
public struct Authorization: Sendable, Hashable {
    /// What the server has that the device may see (its vector).
    public var have: VersionVector
    /// The device's user: other users' private ops go to it redacted (`Op.scoped(to:)`).
    public var viewer: UserID?

    public init(have: VersionVector, viewer: UserID?) {
        self.have = have
        self.viewer = viewer
    }
}

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

/// Runs a ``SyncSession`` over a ``FrameTransport`` against a ``SyncStore``: the I/O half of the
/// protocol, for devices and (with `authorize`) for the server, which then sends each device only
/// what its scope allows.
public struct SyncDriver: Sendable {
    public let store: any SyncStore
    public let transport: any FrameTransport
    public let clock: any PhysicalClock
    public let limits: WireLimits
    /// Server only: decides on a hello — what the device may see, or a refusal.
    public let authorize: (@Sendable (Hello) async -> Result<Authorization, ErrorFrame>)?

    public init(store: any SyncStore, transport: any FrameTransport, clock: any PhysicalClock = SystemClock(),
                limits: WireLimits = .default,
                authorize: (@Sendable (Hello) async -> Result<Authorization, ErrorFrame>)? = nil) {
        self.store = store
        self.transport = transport
        self.clock = clock
        self.limits = limits
        self.authorize = authorize
    }

    /// Runs `session` until the first exchange is complete (`untilCaughtUp`) or the peer closes.
    /// A device session must not be started yet: the driver sends its hello.
    public func run(_ session: SyncSession, untilCaughtUp: Bool = true,
                    events: @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        // The live loop with no local changes to wait for.
        let (noChanges, finished) = AsyncStream<Void>.makeStream()
        finished.finish()
        try await run(session, untilCaughtUp: untilCaughtUp, localChanges: noChanges, events: events)
    }

    /// Carries out one action; returns `true` when the session is caught up.
    func perform(_ action: SyncAction, _ session: inout SyncSession, _ pending: inout [SyncAction],
                         _ scope: inout UserID?, events: @Sendable (SyncEvent) -> Void) async throws(SyncFailure) -> Bool? {
        switch action {
        case .send(let message):
            do {
                try await transport.send(try FrameCodec.encode(message))
            } catch {
                throw .closed
            }
        case .authorize(let hello):
            guard let authorize else {
                pending += session.refuse(ErrorFrame(code: "protocol_violation", message: "a device does not take hellos",
                                                     retryable: false))
                return nil
            }
            switch await authorize(hello) {
            case .success(let authorization):
                scope = authorization.viewer
                pending += session.welcome(have: authorization.have, clockMs: clock.nowMilliseconds())
            case .failure(let error): pending += session.refuse(error)
            }
        case .loadOps(let missing, let limit):
            let (ops, more) = try storeCall { try store.ops(missingFrom: missing, limit: limit) }
            pending += session.opsLoaded(scope.map { viewer in ops.map { $0.scoped(to: viewer) } } ?? ops, more: more)
        case .apply(let batch):
            Failpoint.beforeCommit.reach()
            do {
                let have = try store.applyBatch(batch.ops)
                Failpoint.afterCommit.reach()
                events(.applied(ops: batch.ops.count, more: batch.more))
                let next = session.applied(batch: batch.batch, have: have)
                if batch.more, Failpoint.armed == .midBatch {
                    // Send the acknowledgement, give the peer a moment to read it, then die with
                    // the rest of the batches unapplied.
                    for case .send(let message) in next { try? await transport.send(try FrameCodec.encode(message)) }
                    Failpoint.midBatch.reach(settling: 50_000)
                }
                pending += next
            } catch {
                let (code, retryable) = Self.describe(error)
                pending += session.applyFailed(ErrorFrame(code: code, message: "\(error)", retryable: retryable))
            }
        case .peerAcknowledged(let vector):
            events(.acknowledged(vector))
        case .connected(let peer, let peerHave, let skew):
            events(.connected(peer: peer, clockSkewMs: skew, peerHave: peerHave))
        case .caughtUp:
            events(.caughtUp)
            return true
        case .failed(let error):
            throw .refused(error)
        }
        return nil
    }

    func storeCall<T>(_ body: () throws -> T) throws(SyncFailure) -> T {
        do {
            return try body()
        } catch {
            throw .store("\(error)")
        }
    }

    static func describe(_ error: any Error) -> (code: String, retryable: Bool) {
        if let error = error as? any ReplicaErrorCoded { return (error.syncCode, error.isRetryable) }
        return ("storage_error", true)
    }
}

/// Errors a store can throw that map to sync error codes.
public protocol ReplicaErrorCoded: Error {
    var syncCode: String { get }
    var isRetryable: Bool { get }
}
