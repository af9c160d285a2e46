public import Causality
public import InboxModel
public import Wire

/// The sync protocol as a state machine with no I/O, the same for a device and the server
/// (Protocol/SPEC.md). Feed it what happened; it returns the ``SyncAction``s to carry out. Every
/// protocol decision is made here: whether a hello is accepted, what the device may see and
/// write, when a batch goes out, what a frame out of place gets. The one driver that carries the
/// actions out over a transport and a store is `SyncEngine.SyncDriver`.
///
/// The session is a typed state machine: each state holds exactly the data it needs (``State``),
/// and each event is one exhaustive `switch` over the states.
///
/// ```swift
/// var session = SyncSession.device(replica: me, brand: brand, user: dana)
/// var actions = session.start(have: try replica.versionVector(), clockMs: clock.nowMilliseconds())
/// // send the hello; on each frame: actions = session.receive(message, clockMs: now)
/// ```
public struct SyncSession: Sendable {
    public enum Role: Sendable, Hashable { case device, server }

    /// How a device opens its session.
    public enum Opening: Sendable, Hashable {
        /// Hello, then push what the Welcome says the server lacks: a session over a connection
        /// that stays open (a WebSocket).
        case afterWelcome
        /// Hello and, in the same breath, the first batch of what `serverHas` (what the device last
        /// heard the server has: its acks and its last Welcome) lacks, without waiting for the
        /// Welcome: one round of a request/response transport (`POST /v1/sync`), where the server
        /// answers the whole request at once.
        case withHello(serverHas: VersionVector)
    }

    enum State: Sendable {
        /// Device, before ``start(have:base:clockMs:)``.
        case idle
        /// Device: the hello is out (`have`: the whole vector it stands for); with
        /// ``Opening/withHello(serverHas:)`` the push has started too.
        case helloSent(startClockMs: UInt64, early: Exchange?, have: VersionVector, based: Bool)
        /// Server: waiting for the device's hello. `admission` is a refusal decided before any
        /// hello (no connection slot): the hello gets it instead of a Welcome. `resent`: the
        /// server asked for the hello again (an unknown base); frames the device sent behind its
        /// first hello are passed over until it comes.
        case awaitingHello(device: DeviceScope, admission: ErrorFrame?, resent: Bool)
        /// Server: the hello is accepted; the driver reads the store's vector for the Welcome.
        case welcoming(hello: Hello, device: DeviceScope, clockMs: UInt64)
        /// Both: the exchange of batches.
        case open(Exchange)
        /// Over: the session failed, was refused, or was ended.
        case closed
    }

    public let role: Role
    public let replica: ReplicaID
    public let configuration: SyncConfiguration
    private let brand: BrandID?
    private let user: UserID?
    private(set) var state: State
    /// The vector both sides agree on once the hello is welcomed (Protocol/SPEC.md, "Vector
    /// changes"): the device's whole hello vector, advanced by every op sent or applied since.
    /// Each side computes it alone; it is what the device's next hello is written against.
    private var agreed: VersionVector?
    /// The dots of the batch being applied, for ``agreed`` once it commits.
    private var applying: [Dot] = []
    /// Device: how it opens (again, when the server asks for its hello whole).
    private let opening: Opening

    /// A device's session with the server.
    public static func device(replica: ReplicaID, brand: BrandID, user: UserID?,
                              configuration: SyncConfiguration = .default,
                              opening: Opening = .afterWelcome) -> SyncSession {
        SyncSession(role: .device, replica: replica, brand: brand, user: user, configuration: configuration,
                    state: .idle, opening: opening)
    }

    /// The server's side of one device's session. `device` is what the device's token vouches for:
    /// its hello must name exactly that replica, brand and user, it sees the brand's ops with
    /// other users' private ops redacted, and every batch it pushes is checked against it
    /// (``DeviceScope``). `admission` refuses the session before it starts (no connection slot):
    /// the hello is answered with that error instead of a Welcome.
    public static func server(replica: ReplicaID, device: DeviceScope, admission: ErrorFrame? = nil,
                              configuration: SyncConfiguration = .default) -> SyncSession {
        SyncSession(role: .server, replica: replica, brand: nil, user: nil, configuration: configuration,
                    state: .awaitingHello(device: device, admission: admission, resent: false), opening: .afterWelcome)
    }

    private init(role: Role, replica: ReplicaID, brand: BrandID?, user: UserID?, configuration: SyncConfiguration,
                 state: State, opening: Opening) {
        self.opening = opening
        self.role = role
        self.replica = replica
        self.brand = brand
        self.user = user
        self.configuration = configuration
        self.state = state
    }

    /// True once the session has failed, been refused or been ended.
    public var isClosed: Bool {
        if case .closed = state { true } else { false }
    }

    /// True while the server waits for the device's hello.
    public var isAwaitingHello: Bool {
        if case .awaitingHello = state { true } else { false }
    }

    /// What the peer is known to have (its Hello/Welcome vector joined with its acks and the ops it
    /// sent), once the exchange has begun.
    public var peerHave: VersionVector? {
        switch state {
        case .open(let exchange): exchange.peerHave
        case .helloSent(_, let early?, _, _): early.peerHave
        case .idle, .helloSent, .awaitingHello, .welcoming, .closed: nil
        }
    }

    // MARK: Events

    /// Device: opens the session with what this replica has. With `base` (the vector last agreed
    /// with the server, ``SyncAction/rememberBase(_:)``), the hello sends `have` as changes
    /// against it when that is smaller.
    public mutating func start(have: VersionVector, base: VersionVector? = nil, clockMs: UInt64) -> [SyncAction] {
        switch state {
        case .idle:
            guard brand != nil else { return close(.protocolViolation("a device session needs a brand")) }
            return sayHello(have: have, base: base, clockMs: clockMs)
        case .helloSent, .awaitingHello, .welcoming, .open, .closed:
            return []
        }
    }

    /// The hello (as changes against `base` when that is smaller than the whole vector), and with
    /// ``Opening/withHello(serverHas:)`` the first batch behind it.
    private mutating func sayHello(have: VersionVector, base: VersionVector?, clockMs: UInt64) -> [SyncAction] {
        guard let brand else { return [] }
        var hello = Hello(replica: replica, brand: brand, user: user, have: have, clockMs: clockMs, vectorChanges: true)
        var based = false
        if let base {
            let changes = VectorChanges(from: base, to: have)
            if changes.count < have.entries.count {
                hello = Hello(replica: replica, brand: brand, user: user, changes: changes, base: base.digest,
                              clockMs: clockMs)
                based = true
            }
        }
        agreed = have
        switch opening {
        case .afterWelcome:
            state = .helloSent(startClockMs: clockMs, early: nil, have: have, based: based)
            return [.send(.hello(hello))]
        case .withHello(let serverHas):
            var exchange = Exchange(configuration: configuration, scope: nil, peerHave: serverHas)
            let load = exchange.load()
            state = .helloSent(startClockMs: clockMs, early: exchange, have: have, based: based)
            return [.send(.hello(hello))] + load
        }
    }

    /// A message arrived from the peer.
    public mutating func receive(_ message: WireMessage, clockMs: UInt64) -> [SyncAction] {
        if case .error(let error) = message {
            switch state {
            case .closed: return []
            case .idle, .helloSent, .awaitingHello, .welcoming, .open:
                state = .closed
                return [.failed(error)]
            }
        }
        switch state {
        case .closed:
            return []
        case .idle:
            return unexpected(message)
        case .awaitingHello(let device, let admission, let resent):
            guard case .hello(let hello) = message else {
                // What the device sent behind the hello that named an unknown base: not taken.
                if resent, case .ops = message { return [] }
                return unexpected(message)
            }
            return helloArrived(hello, device: device, admission: admission, clockMs: clockMs)
        case .welcoming:
            // The driver answers `readVector` before it takes the next frame.
            return unexpected(message)
        case .helloSent(let startClockMs, let early, let sentHave, let based):
            guard case .welcome(let welcome) = message else { return unexpected(message) }
            guard welcome.protocolVersion == WireProtocol.version else {
                return close(ErrorFrame(code: .unsupportedVersion,
                                        message: "the server speaks protocol \(welcome.protocolVersion)",
                                        retryable: false))
            }
            if welcome.resendHave {
                guard based else {
                    return close(.protocolViolation("the server asked again for a hello that named no base"))
                }
                // The server took nothing of the session: the hello again, whole, and a fresh push.
                return [.rememberBase(nil)] + sayHello(have: sentHave, base: nil, clockMs: startClockMs)
            }
            let serverHave = welcome.haveChanges.map { $0.applied(to: sentHave) } ?? welcome.have
            let skew = Int64(bitPattern: welcome.clockMs &- startClockMs)
            let connected = SyncAction.connected(peer: welcome.serverReplica, peerHave: serverHave, clockSkewMs: skew)
            if var exchange = early {
                exchange.learn(serverHave)
                state = .open(exchange)
                return [connected] + remembered()
            }
            var exchange = Exchange(configuration: configuration, scope: nil, peerHave: serverHave)
            let load = exchange.load()
            state = .open(exchange)
            return [connected] + remembered() + load
        case .open(var exchange):
            let actions: [SyncAction]
            switch message {
            case .ops(let batch):
                actions = exchange.batchArrived(batch)
                applying = batch.ops.map(\.dot)
            case .ack(let ack):
                actions = exchange.acknowledged(ack)
            case .hello, .welcome, .error:
                return unexpected(message)
            }
            return settle(exchange, actions)
        }
    }

    /// A frame from the peer did not decode: the peer gets the wire error's code and the session
    /// ends.
    public mutating func undecodable(_ error: WireError) -> [SyncAction] {
        close(ErrorFrame(code: error.code, message: error.description, retryable: false))
    }

    /// Server: the store's vector for the Welcome, as ``SyncAction/readVector(base:)`` asked: what
    /// the server has in the device's scope, and the base the hello named if the store knows it.
    /// A hello whose base is unknown gets a Welcome that asks for it again, whole.
    public mutating func vectorRead(have: VersionVector, base: VersionVector? = nil, clockMs: UInt64) -> [SyncAction] {
        switch state {
        case .welcoming(let hello, let device, let helloClockMs):
            let deviceHave: VersionVector
            if let changes = hello.haveChanges {
                guard let base else {
                    state = .awaitingHello(device: device, admission: nil, resent: true)
                    return [.send(.welcome(Welcome(serverReplica: replica, have: VersionVector(), clockMs: clockMs,
                                                   resendHave: true)))]
                }
                deviceHave = changes.applied(to: base)
            } else {
                deviceHave = hello.have
            }
            agreed = deviceHave
            var exchange = Exchange(configuration: configuration, scope: device, peerHave: deviceHave)
            let skew = Int64(bitPattern: hello.clockMs &- helloClockMs)
            let load = exchange.load()
            state = .open(exchange)
            let welcome = hello.vectorChanges
                ? Welcome(serverReplica: replica, have: VersionVector(), clockMs: clockMs,
                          haveChanges: VectorChanges(from: deviceHave, to: have))
                : Welcome(serverReplica: replica, have: have, clockMs: clockMs)
            return [.send(.welcome(welcome)), .connected(peer: hello.replica, peerHave: deviceHave, clockSkewMs: skew)]
                + remembered() + load
        case .idle, .helloSent, .awaitingHello, .open, .closed:
            return []
        }
    }

    /// Server: no hello came within the hello timeout. Once a hello has come this does nothing.
    public mutating func helloTimedOut(after timeout: Duration) -> [SyncAction] {
        switch state {
        case .awaitingHello:
            return close(ErrorFrame(code: .helloTimeout, message: "no hello within \(timeout) of the upgrade",
                                    retryable: true))
        case .idle, .helloSent, .welcoming, .open, .closed:
            return []
        }
    }

    /// The driver loaded the ops asked for by ``SyncAction/loadOps(missingFrom:limit:)``.
    public mutating func opsLoaded(_ ops: [EncodedOp], more: Bool) -> [SyncAction] {
        switch state {
        case .open(var exchange):
            let actions = exchange.opsLoaded(ops, more: more)
            return settle(exchange, actions)
        case .helloSent(let startClockMs, var early?, let have, let based):
            let actions = early.opsLoaded(ops, more: more)
            state = .helloSent(startClockMs: startClockMs, early: early, have: have, based: based)
            // Remembered once the Welcome shows the server took the hello.
            return tracked(actions, remember: false)
        case .idle, .helloSent, .awaitingHello, .welcoming, .closed:
            return []
        }
    }

    /// The driver committed the batch from ``SyncAction/apply(_:checkedBy:)``; `have` is the
    /// replica's vector after the commit.
    public mutating func applied(batch: UInt64, have: VersionVector) -> [SyncAction] {
        switch state {
        case .open(var exchange):
            let actions = exchange.applied(batch: batch, have: have)
            // An empty batch (the last of an exchange) moves nothing: nothing new to remember.
            let moved = !applying.isEmpty
            for dot in applying { agreed?.advance(dot) }
            applying = []
            return settle(exchange, moved ? actions + remembered() : actions)
        case .idle, .helloSent, .awaitingHello, .welcoming, .closed:
            return []
        }
    }

    /// The driver could not apply the batch (an invalid op, a batch outside the device's scope, a
    /// store failure): the session ends, nothing of the batch was applied.
    public mutating func applyFailed(_ error: ErrorFrame) -> [SyncAction] {
        switch state {
        case .open: return close(error)
        case .idle, .helloSent, .awaitingHello, .welcoming, .closed: return []
        }
    }

    /// The store failed to read (its vector, or ops to send): the peer is told the failure is
    /// retryable and the session ends.
    public mutating func storeFailed(_ message: String) -> [SyncAction] {
        close(ErrorFrame(code: .storageError, message: message, retryable: true))
    }

    /// Ends the session from outside the protocol (a revoked device: `unauthorized`): the peer gets
    /// `error` as the last frame.
    public mutating func end(_ error: ErrorFrame) -> [SyncAction] {
        close(error)
    }

    /// New local ops exist (a user action, or ops another device pushed to the server): push them
    /// once the current batch is acknowledged.
    public mutating func localChanged() -> [SyncAction] {
        switch state {
        case .open(var exchange):
            let actions = exchange.localChanged()
            return settle(exchange, actions)
        case .helloSent(let startClockMs, var early?, let have, let based):
            let actions = early.localChanged()
            state = .helloSent(startClockMs: startClockMs, early: early, have: have, based: based)
            // Remembered once the Welcome shows the server took the hello.
            return tracked(actions, remember: false)
        case .idle, .helloSent, .awaitingHello, .welcoming, .closed:
            return []
        }
    }

    // MARK: Steps

    /// The server's decision on a hello: the protocol version, the admission, then the token's
    /// device; accepted, the Welcome waits for the store's vector.
    private mutating func helloArrived(_ hello: Hello, device: DeviceScope, admission: ErrorFrame?,
                                       clockMs: UInt64) -> [SyncAction] {
        guard hello.protocolVersion == WireProtocol.version else {
            return close(ErrorFrame(code: .unsupportedVersion,
                                    message: "this server speaks protocol \(WireProtocol.version), not \(hello.protocolVersion)",
                                    retryable: false))
        }
        if let admission { return close(admission) }
        if let refusal = device.refusal(of: hello) { return close(refusal) }
        state = .welcoming(hello: hello, device: device, clockMs: clockMs)
        return [.readVector(base: hello.haveChanges == nil ? nil : hello.haveBase)]
    }

    /// Stores the exchange back, or closes the session when its actions end it.
    private mutating func settle(_ exchange: Exchange, _ actions: [SyncAction]) -> [SyncAction] {
        if actions.contains(where: { if case .failed = $0 { true } else { false } }) {
            state = .closed
            return actions
        }
        state = .open(exchange)
        return tracked(actions)
    }

    /// `actions`, and when they send ops, the agreed vector those ops move, to remember.
    private mutating func tracked(_ actions: [SyncAction], remember: Bool = true) -> [SyncAction] {
        guard agreed != nil else { return actions }
        var sent = false
        for case .send(.ops(let batch)) in actions where !batch.ops.isEmpty {
            for op in batch.ops { agreed?.advance(op.dot) }
            sent = true
        }
        return sent && remember ? actions + remembered() : actions
    }

    /// The agreed vector to remember, once there is one.
    private func remembered() -> [SyncAction] {
        agreed.map { [.rememberBase($0)] } ?? []
    }

    private mutating func unexpected(_ message: WireMessage) -> [SyncAction] {
        close(.protocolViolation("unexpected \(Self.name(message)) in this state of the session"))
    }

    /// Ends the session with `error`, sent to the peer as the last frame.
    private mutating func close(_ error: ErrorFrame) -> [SyncAction] {
        switch state {
        case .closed:
            return []
        case .idle, .helloSent, .awaitingHello, .welcoming, .open:
            state = .closed
            return [.send(.error(error)), .failed(error)]
        }
    }

    static func name(_ message: WireMessage) -> String {
        switch message {
        case .hello: "hello"
        case .welcome: "welcome"
        case .ops: "ops"
        case .ack: "ack"
        case .error: "error"
        }
    }
}

extension ErrorFrame {
    /// A frame that breaks the protocol (SPEC.md, "Errors").
    static func protocolViolation(_ message: String) -> ErrorFrame {
        ErrorFrame(code: .protocolViolation, message: message, retryable: false)
    }
}
