public import Causality
public import InboxModel
public import Wire

/// The sync protocol as a state machine with no I/O, the same for a device and the server
/// (Protocol/SPEC.md). Feed it what happened; it returns the ``SyncAction``s to carry out.
///
/// Each side pushes what the other lacks in numbered batches, with at most
/// ``SyncConfiguration/maxBatchesInFlight`` of them unacknowledged, and applies and acknowledges
/// what it receives in order. Batches are prefixes of the
/// sender's journal order, so each is causally closed given what the receiver already had; an
/// interrupted session resumes from the vectors of the next hello, not from zero.
///
/// ```swift
/// var session = SyncSession.device(replica: me, brand: brand, user: dana)
/// var actions = session.start(have: try replica.versionVector(), clockMs: clock.nowMilliseconds())
/// // send the hello; on each frame: actions = try session.receive(message, clockMs: now)
/// ```
public struct SyncSession: Sendable {
    public enum Role: Sendable, Hashable { case device, server }

    enum Phase: Sendable, Hashable {
        case idle, helloSent, awaitingHello, authorizing, open, closed
    }

    public let role: Role
    public let replica: ReplicaID
    public let configuration: SyncConfiguration
    private let brand: BrandID?
    private let user: UserID?
    private(set) var phase: Phase
    private var startClockMs: UInt64 = 0
    private var hello: Hello?

    // Sending half.
    /// What the peer is known to have: its hello/welcome vector, joined with its acks and with
    /// every op it sent us.
    public private(set) var peerHave = VersionVector()
    /// `peerHave` joined with every op sent: where the next load starts.
    private var sentHave = VersionVector()
    private var sentBatches: UInt64 = 0
    /// Batches sent and not yet acknowledged, oldest first.
    private var inFlight: [(batch: UInt64, more: Bool)] = []
    private var loading = false
    private var buffered: [Op] = []
    /// The last load stopped at its limit: the journal has more for the peer.
    private var bufferedMore = false
    /// The first exchange still owes the peer a batch with `more = false`.
    private var owesFinalBatch = true
    private var pushedAll = false
    private var localChangedWhileBusy = false

    // Receiving half.
    private var expectedBatch: UInt64 = 1
    private var applying: OpBatch?
    private var receivedAll = false
    private var reportedCaughtUp = false

    /// A device's session with the server.
    public static func device(replica: ReplicaID, brand: BrandID, user: UserID?,
                              configuration: SyncConfiguration = .default) -> SyncSession {
        SyncSession(role: .device, replica: replica, brand: brand, user: user, configuration: configuration,
                    phase: .idle)
    }

    /// The server's side of one device's session.
    public static func server(replica: ReplicaID, configuration: SyncConfiguration = .default) -> SyncSession {
        SyncSession(role: .server, replica: replica, brand: nil, user: nil, configuration: configuration,
                    phase: .awaitingHello)
    }

    private init(role: Role, replica: ReplicaID, brand: BrandID?, user: UserID?, configuration: SyncConfiguration,
                 phase: Phase) {
        self.role = role
        self.replica = replica
        self.brand = brand
        self.user = user
        self.configuration = configuration
        self.phase = phase
    }

    /// True once the session has failed or been refused.
    public var isClosed: Bool { phase == .closed }

    // MARK: Events

    /// Device: opens the session with what this replica has.
    public mutating func start(have: VersionVector, clockMs: UInt64) -> [SyncAction] {
        guard role == .device, phase == .idle, let brand else { return [] }
        phase = .helloSent
        startClockMs = clockMs
        return [.send(.hello(Hello(replica: replica, brand: brand, user: user, have: have, clockMs: clockMs)))]
    }

    /// A message arrived from the peer.
    public mutating func receive(_ message: WireMessage, clockMs: UInt64) -> [SyncAction] {
        switch (message, phase) {
        case (_, .closed):
            return []
        case (.error(let error), _):
            phase = .closed
            return [.failed(error)]
        case (.hello(let hello), .awaitingHello) where role == .server:
            guard hello.protocolVersion == WireProtocol.version else {
                return fail(.unsupportedVersion, "this server speaks protocol \(WireProtocol.version), not \(hello.protocolVersion)")
            }
            self.hello = hello
            startClockMs = clockMs
            phase = .authorizing
            return [.authorize(hello)]
        case (.welcome(let welcome), .helloSent) where role == .device:
            guard welcome.protocolVersion == WireProtocol.version else {
                return fail(.unsupportedVersion, "the server speaks protocol \(welcome.protocolVersion)")
            }
            phase = .open
            let skew = Int64(bitPattern: welcome.clockMs &- startClockMs)
            return [.connected(peer: welcome.serverReplica, peerHave: welcome.have, clockSkewMs: skew)]
                + startPushing(peerHave: welcome.have)
        case (.ops(let batch), .open):
            guard applying == nil else {
                return fail(.protocolViolation, "batch \(batch.batch) arrived while the previous one was being applied")
            }
            guard batch.batch == expectedBatch else {
                return fail(.protocolViolation, "expected batch \(expectedBatch), got \(batch.batch)")
            }
            applying = batch
            return [.apply(batch)]
        case (.ack(let ack), .open):
            return acknowledged(ack)
        default:
            return fail(.protocolViolation, "unexpected \(Self.name(message)) in this state of the session")
        }
    }

    /// Server: the hello is authorised; `have` is what the server has in the device's scope.
    public mutating func welcome(have: VersionVector, clockMs: UInt64) -> [SyncAction] {
        guard role == .server, phase == .authorizing, let hello else { return [] }
        phase = .open
        let skew = Int64(bitPattern: hello.clockMs &- clockMs)
        return [.send(.welcome(Welcome(serverReplica: replica, have: have, clockMs: clockMs))),
                .connected(peer: hello.replica, peerHave: hello.have, clockSkewMs: skew)]
            + startPushing(peerHave: hello.have)
    }

    /// Server: the hello is refused (bad token, wrong brand…).
    public mutating func refuse(_ error: ErrorFrame) -> [SyncAction] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.send(.error(error)), .failed(error)]
    }

    /// The driver loaded the ops asked for by ``SyncAction/loadOps(missingFrom:limit:)``.
    public mutating func opsLoaded(_ ops: [Op], more: Bool) -> [SyncAction] {
        guard phase == .open, loading else { return [] }
        loading = false
        buffered = ops
        bufferedMore = more
        return sendPages()
    }

    /// The driver committed the batch from ``SyncAction/apply(_:)``; `have` is the replica's vector
    /// after the commit.
    public mutating func applied(batch: UInt64, have: VersionVector) -> [SyncAction] {
        guard phase == .open, let current = applying, current.batch == batch else { return [] }
        applying = nil
        expectedBatch += 1
        // The ack names only the replicas the batch moved: the peer joins it into what it knows, so
        // the rest of the vector would only cost bytes on every round.
        var moved = VersionVector()
        for op in current.ops {
            // The peer has what it sent: never send it back (nor anything before it of that replica).
            peerHave.advance(op.dot)
            sentHave.advance(op.dot)
            moved.advance(Dot(replica: op.dot.replica, counter: have[op.dot.replica]))
        }
        if !current.more { receivedAll = true }
        return [.send(.ack(Ack(have: moved, batch: batch)))] + caughtUpIfDone()
    }

    /// The driver could not apply the batch (an invalid op): the session ends, nothing was applied.
    public mutating func applyFailed(_ error: ErrorFrame) -> [SyncAction] {
        guard phase == .open else { return [] }
        phase = .closed
        return [.send(.error(error)), .failed(error)]
    }

    /// New local ops exist (a user action, or ops another device pushed to the server): push them
    /// once the current batch is acknowledged.
    public mutating func localChanged() -> [SyncAction] {
        guard phase == .open, pushedAll, !loading, buffered.isEmpty, !bufferedMore else {
            localChangedWhileBusy = true
            return []
        }
        return load()
    }

    // MARK: Sending half

    private mutating func startPushing(peerHave: VersionVector) -> [SyncAction] {
        self.peerHave = peerHave
        sentHave = peerHave
        return load()
    }

    private mutating func load() -> [SyncAction] {
        loading = true
        localChangedWhileBusy = false
        return [.loadOps(missingFrom: sentHave, limit: configuration.maxOpsPerBatch)]
    }

    /// Sends pages of what is loaded while the window has room, and loads the next ops when the
    /// loaded ones run out and the journal has more (or new ones arrived meanwhile).
    private mutating func sendPages() -> [SyncAction] {
        var actions: [SyncAction] = []
        while inFlight.count < configuration.maxBatchesInFlight {
            if buffered.isEmpty && (bufferedMore || localChangedWhileBusy) {
                if !loading { actions += load() }
                break
            }
            if buffered.isEmpty && !owesFinalBatch { break }
            var count = 0
            var bytes = 0
            for op in buffered.prefix(configuration.maxOpsPerBatch) {
                let size = Self.estimatedSize(op)
                if count > 0 && bytes + size > configuration.maxBatchBytes { break }
                count += 1
                bytes += size
            }
            let page = Array(buffered.prefix(count))
            buffered.removeFirst(count)
            let more = !buffered.isEmpty || bufferedMore
            for op in page { sentHave.advance(op.dot) }
            if !more { owesFinalBatch = false }
            sentBatches += 1
            inFlight.append((sentBatches, more))
            actions.append(.send(.ops(OpBatch(batch: sentBatches, ops: page, more: more))))
        }
        return actions
    }

    private mutating func acknowledged(_ ack: Ack) -> [SyncAction] {
        peerHave.join(ack.have)
        sentHave.join(ack.have)
        guard let oldest = inFlight.first, oldest.batch == ack.batch else {
            guard ack.batch == 0 else { return fail(.protocolViolation, "ack of batch \(ack.batch), none was waiting") }
            return [.peerAcknowledged(peerHave)]
        }
        inFlight.removeFirst()
        // A batch with `more = false` ended everything the journal held for the peer when it was
        // loaded: once it is acknowledged, the first exchange's push is done.
        if !oldest.more && inFlight.isEmpty { pushedAll = true }
        return [.peerAcknowledged(peerHave)] + sendPages() + caughtUpIfDone()
    }

    private mutating func caughtUpIfDone() -> [SyncAction] {
        guard pushedAll, receivedAll, !reportedCaughtUp else { return [] }
        reportedCaughtUp = true
        return [.caughtUp]
    }

    private mutating func fail(_ code: ErrorFrame.Code, _ message: String) -> [SyncAction] {
        let error = ErrorFrame(code: code, message: message, retryable: false)
        phase = .closed
        return [.send(.error(error)), .failed(error)]
    }

    /// A rough encoded size: the op's text plus a fixed overhead for ids and stamps.
    static func estimatedSize(_ op: Op) -> Int {
        let text: Int
        switch op.body {
        case .startConversation(let start): text = start.body.utf8.count + start.subject.utf8.count
            + (start.inquiry.map { $0.text.utf8.count + 200 } ?? 0)
        case .postMessage(let post): text = post.body.utf8.count
        case .saveDraft(let save): text = save.text.utf8.count
        default: text = 0
        }
        return text + 64 + 16 * op.deps.count
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
