public import Causality
import InboxModel
public import Replica
public import SyncCore
public import Wire

/// The one driver of the sync protocol: it carries out a ``SyncSession``'s actions against a
/// ``SyncStore`` and turns frames into events and events into frames. It decides nothing about the
/// protocol (the session does); it only does the I/O the session asks for.
///
/// Every side of every sync runs it: the device's WebSocket sync and its HTTP rounds, the
/// server's device sessions and its one-shot `POST /v1/sync`, the scenario simulator and the
/// tests. The driver itself is synchronous and steps one input at a time (``start()``,
/// ``receive(_:)``, ``localChanged()``, …), each returning a ``Step``: the frames to send, the
/// events, and whether the session ended. ``run(over:untilCaughtUp:localChanges:stop:helloTimeout:events:)``
/// runs it over a ``FrameTransport``; the simulator steps it itself over its simulated network.
public struct SyncDriver: Sendable {
    /// What one input produced.
    public struct Step: Sendable {
        /// Frames to send to the peer, in order.
        public var frames: [[UInt8]] = []
        public var events: [SyncEvent] = []
        /// Set when the session is over.
        public var end: End?
        /// A vector base to remember once the step's frames are on their way, when the driver
        /// defers it (``defersBase``); `.some(nil)` forgets the base.
        var baseToRemember: VersionVector??

        /// The first exchange completed in this step.
        public var caughtUp: Bool { events.contains(.caughtUp) }
    }

    /// How a session ended.
    public enum End: Sendable, Hashable {
        case failed(SyncFailure)
        /// The armed ``Failpoint`` was reached: the node must die now, after sending the step's frames.
        case crashed(Failpoint)
    }

    public private(set) var session: SyncSession
    public let store: any SyncStore
    public let clock: any PhysicalClock
    public let limits: WireLimits
    /// The commit point at which this node crashes, if any (``ArmedFailpoint``).
    public let crashAt: ArmedFailpoint?
    /// Batches and ops received in this session, and (for a failpoint armed at a share of the
    /// session) how many ops this node lacked of the peer's when the session began.
    private var received = (batches: 0, ops: 0)
    private var lacked: Int?
    /// Whether a ``SyncAction/rememberBase(_:)`` waits in the step (``Step/baseToRemember``) for
    /// the caller to carry out after sending the frames, rather than being done at once. A base is
    /// best effort (a lost one costs a resent hello), and a device writes it to its replica file:
    /// ``run(over:untilCaughtUp:localChanges:stop:helloTimeout:storePool:events:)`` defers it so
    /// that no ack or push waits for that write.
    var defersBase = false

    public init(session: SyncSession, store: any SyncStore, clock: any PhysicalClock = SystemClock(),
                limits: WireLimits = .default, crashAt: ArmedFailpoint? = nil) {
        self.session = session
        self.store = store
        self.clock = clock
        self.limits = limits
        self.crashAt = crashAt
    }

    // MARK: Inputs

    /// Opens the session: a device sends its hello (and, opening with it, its first batch); the
    /// server waits for the hello.
    public mutating func start() -> Step {
        guard session.role == .device else { return Step() }
        var step = Step()
        do {
            let have = try store.versionVector()
            perform(session.start(have: have, base: store.vectorBase(matching: nil), clockMs: clock.nowMilliseconds()),
                    into: &step)
        } catch {
            storeFailed(error, into: &step)
        }
        return step
    }

    /// A frame from the peer.
    public mutating func receive(_ frame: [UInt8]) -> Step {
        var step = Step()
        let message: WireMessage
        do {
            message = try FrameCodec.decode(frame, limits: limits)
        } catch {
            perform(session.undecodable(error), into: &step)
            step.end = .failed(.badFrame(error))
            return step
        }
        perform(session.receive(message, clockMs: clock.nowMilliseconds()), into: &step)
        return step
    }

    /// The store has new ops (a local action, or ops another device pushed to the server).
    public mutating func localChanged() -> Step {
        var step = Step()
        perform(session.localChanged(), into: &step)
        return step
    }

    /// Server: the hello timeout passed. Ends the session if no hello has come.
    public mutating func helloTimedOut(after timeout: Duration) -> Step {
        var step = Step()
        perform(session.helloTimedOut(after: timeout), into: &step)
        return step
    }

    /// Ends the session from outside the protocol with `error` as its last frame.
    public mutating func end(_ error: ErrorFrame) -> Step {
        var step = Step()
        perform(session.end(error), into: &step)
        return step
    }

    // MARK: Carrying out actions

    private mutating func perform(_ actions: [SyncAction], into step: inout Step) {
        var queue = actions[...]
        while let action = queue.popFirst(), step.end == nil {
            switch action {
            case .send(let message):
                send(message, into: &step)
                if step.end == nil {
                    if case .error(let error) = message { step.events.append(.errorSent(error)) }
                    if case .ops(let batch) = message, !batch.ops.isEmpty { step.events.append(.sent(ops: batch.ops.count)) }
                }
            case .readVector(let digest):
                if let base = step.baseToRemember {
                    store.rememberVectorBase(base)
                    step.baseToRemember = nil
                }
                do {
                    let have = try store.versionVector()
                    let base = digest.flatMap { store.vectorBase(matching: $0) }
                    queue += session.vectorRead(have: have, base: base, clockMs: clock.nowMilliseconds())
                } catch {
                    storeFailed(error, into: &step)
                }
            case .rememberBase(let vector):
                if defersBase { step.baseToRemember = .some(vector) } else { store.rememberVectorBase(vector) }
                if vector == nil { step.events.append(.helloResent) }
            case .loadOps(let missing, let limit):
                do {
                    let (ops, more) = try store.encodedOps(missingFrom: missing, limit: limit)
                    queue += session.opsLoaded(ops, more: more)
                } catch {
                    storeFailed(error, into: &step)
                }
            case .apply(let batch, let scope):
                queue += apply(batch, checkedBy: scope, into: &step)
            case .peerAcknowledged(let vector):
                step.events.append(.acknowledged(vector))
            case .connected(let peer, let peerHave, let skew):
                if case .progress? = crashAt?.batch, let own = try? store.versionVector() {
                    lacked = Int(clamping: peerHave.opCount(above: own))
                }
                step.events.append(.connected(peer: peer, clockSkewMs: skew, peerHave: peerHave))
            case .caughtUp:
                step.events.append(.caughtUp)
            case .failed(let error):
                step.end = .failed(.refused(error))
            }
        }
    }

    /// Applies a batch, with the crash points of a received batch; returns the session's next actions.
    private mutating func apply(_ batch: OpBatch, checkedBy scope: DeviceScope?, into step: inout Step) -> [SyncAction] {
        let armed = armedBatch(batch)
        received.batches += 1
        received.ops += batch.ops.count
        if armed == .beforeCommit {
            step.end = .crashed(.beforeCommit)
            return []
        }
        let have: VersionVector
        do {
            have = try store.applyBatch(batch.ops, checkedBy: scope, nowMs: clock.nowMilliseconds())
        } catch {
            return session.applyFailed(Self.errorFrame(error))
        }
        if armed == .afterCommit {
            step.end = .crashed(.afterCommit)
            return []
        }
        step.events.append(.applied(ops: batch.ops.count, more: batch.more))
        let next = session.applied(batch: batch.batch, have: have)
        if batch.more, armed == .midBatch {
            // The acknowledgement goes out; then the node dies with the rest of the batches unapplied.
            for case .send(let message) in next { send(message, into: &step) }
            if step.end == nil { step.end = .crashed(.midBatch) }
            return []
        }
        return next
    }

    /// The armed point, if `batch` (about to be received) is the batch it waits for.
    private func armedBatch(_ batch: OpBatch) -> Failpoint? {
        guard let crashAt else { return nil }
        switch crashAt.batch {
        case .number(let number):
            return received.batches + 1 == number ? crashAt.point : nil
        case .progress(let percent):
            guard let lacked, lacked > 0 else { return nil }
            let before = received.ops * 100, after = (received.ops + batch.ops.count) * 100
            return before < percent * lacked && after >= percent * lacked ? crashAt.point : nil
        }
    }

    private func send(_ message: WireMessage, into step: inout Step) {
        do {
            step.frames.append(try FrameCodec.encode(message))
        } catch {
            step.end = .failed(.badFrame(error))
        }
    }

    /// A read of the store failed: the peer is told (retryable) and the session ends as a local
    /// store failure.
    private mutating func storeFailed(_ error: any Error, into step: inout Step) {
        let message = (error as? ReplicaError)?.message ?? "\(error)"
        perform(session.storeFailed(message), into: &step)
        step.end = .failed(.store(message))
    }

    /// The error frame for a batch the store refused: its replica code; retryable when the disk
    /// may recover (busy, failing), never for an invalid op.
    static func errorFrame(_ error: any Error) -> ErrorFrame {
        guard let error = error as? ReplicaError else {
            return ErrorFrame(code: .storageError, message: "\(error)", retryable: true)
        }
        return ErrorFrame(code: ErrorFrame.Code(rawValue: error.code.rawValue), message: error.message,
                          retryable: error.code == .locked || error.code == .storage)
    }
}
