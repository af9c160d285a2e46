import Causality
public import NIOPosix
import Synchronization
import SyncCore
public import Wire

extension SyncDriver {
    /// Runs the session over `transport` until the first exchange is complete (`untilCaughtUp`),
    /// or, live, until the peer closes (``SyncFailure/closed``), an error ends it, or the task is
    /// cancelled. Pushes whenever `localChanges` yields; `stop` ends the session from outside
    /// with an error frame; the server passes its `helloTimeout` and the clock that measures it.
    ///
    /// Frames, local changes, the stop and the hello timer are merged into one ordered stream of
    /// inputs; the driver is stepped from this task alone. A reached ``Failpoint`` sends the
    /// step's frames and then kills the process (``Failpoint/die(settling:)``).
    ///
    /// Each step reads and writes the store (SQLite), which blocks: with `storePool`, every step
    /// runs on a thread of that pool, and this task waits for it without holding a thread of
    /// Swift's shared cooperative pool (two threads on a 2-core machine, which every session and
    /// request of the process shares); `events` is called there too, so a handler may write the
    /// store. Without one, steps and events run on the calling task (tests, tools).
    public func run(over transport: any FrameTransport, untilCaughtUp: Bool,
                    localChanges: AsyncStream<Void>? = nil, stop: SyncStop? = nil,
                    helloTimeout: HelloTimeout? = nil, storePool: NIOThreadPool? = nil,
                    events: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        var tasks: [Task<Void, Never>] = [
            Task {
                while !Task.isCancelled {
                    let frame = try? await transport.receive()
                    continuation.yield(.frame(frame))
                    if frame == nil { break }
                }
            },
        ]
        if let localChanges {
            tasks.append(Task { for await _ in localChanges { continuation.yield(.changed) } })
        }
        if let stop {
            tasks.append(Task { for await _ in stop.signals { continuation.yield(.stop) } })
        }
        if let helloTimeout {
            tasks.append(Task {
                guard (try? await helloTimeout.clock.sleep(for: helloTimeout.duration)) != nil else { return }
                continuation.yield(.helloTimeout)
            })
        }
        defer {
            for task in tasks { task.cancel() }
            continuation.finish()
        }

        var driver = self
        driver.defersBase = true
        var step = await Self.step(&driver, on: storePool) { $0.start() }
        var iterator = inputs.makeAsyncIterator()
        while true {
            // The events and the deferred base go to the store while the frames go out: an ack or a
            // push does not wait for the bookkeeping, nor an applied batch's event for the ack.
            let done = step, store = driver.store
            async let bookkept: Void = Self.bookkeep(done, store: store, events: events, on: storePool)
            for frame in step.frames {
                do {
                    try await transport.send(frame)
                } catch {
                    await bookkept
                    // The peer closed; its last frames (an Error that says why) may still be queued.
                    throw await driver.lastWord(from: &iterator)
                }
            }
            await bookkept
            switch step.end {
            case .failed(let failure)?:
                throw failure
            case .crashed(let point)?:
                point.die(settling: point == .midBatch ? .milliseconds(50) : .zero)
            case nil:
                break
            }
            if untilCaughtUp && step.caughtUp { return }
            // An end requested from outside goes first, before any frame still queued.
            if let error = stop?.requested {
                step = await Self.step(&driver, on: storePool) { $0.end(error) }
                if step.end == nil { throw .refused(error) }
                continue
            }
            guard let input = await iterator.next() else { throw .closed }
            if let error = stop?.requested {
                step = await Self.step(&driver, on: storePool) { $0.end(error) }
                if step.end == nil { throw .refused(error) }
                continue
            }
            switch input {
            case .frame(nil):
                throw .closed
            case .frame(let frame?):
                step = await Self.step(&driver, on: storePool) { $0.receive(frame) }
            case .changed:
                step = await Self.step(&driver, on: storePool) { $0.localChanged() }
            case .stop:
                step = Step()
            case .helloTimeout:
                let duration = helloTimeout?.duration ?? .zero
                step = await Self.step(&driver, on: storePool) { $0.helloTimedOut(after: duration) }
            }
        }
    }

    /// One step of `driver` by `body`: on a thread of `pool` (the driver is a value: a copy goes
    /// there and comes back stepped), or here without one, or when the pool no longer runs.
    private static func step(_ driver: inout SyncDriver, on pool: NIOThreadPool?,
                             _ body: @escaping @Sendable (inout SyncDriver) -> Step) async -> Step {
        guard let pool else { return body(&driver) }
        let current = driver
        guard let (stepped, step) = try? await pool.runIfActive({ () -> (SyncDriver, Step) in
            var copy = current
            let step = body(&copy)
            return (copy, step)
        }) else { return body(&driver) }
        driver = stepped
        return step
    }

    /// Hands the step's events to the handler and remembers its deferred vector base: on a thread
    /// of `pool` when there is one (a handler may write the store, as the device's sync-state
    /// bookkeeping does, and a device's base is written to its replica), else here.
    private static func bookkeep(_ step: Step, store: any SyncStore,
                                 events handler: @escaping @Sendable (SyncEvent) -> Void,
                                 on pool: NIOThreadPool?) async {
        let events = step.events, base = step.baseToRemember
        guard !events.isEmpty || base != nil else { return }
        let work: @Sendable () -> Void = {
            for event in events { handler(event) }
            if let base { store.rememberVectorBase(base) }
        }
        if let pool, (try? await pool.runIfActive { work() }) != nil { return }
        work()
    }

    /// Why the session ended once sending failed: the peer's Error frame if one is still queued,
    /// else ``SyncFailure/closed``. Frames the driver would answer are not sent.
    private mutating func lastWord(from inputs: inout AsyncStream<Input>.Iterator) async -> SyncFailure {
        while let input = await inputs.next() {
            guard case .frame(let frame) = input else { continue }
            guard let frame else { break }
            if case .failed(let failure)? = receive(frame).end { return failure }
        }
        return .closed
    }

    /// What a running session waits for.
    enum Input: Sendable {
        /// A frame from the peer; `nil`: the peer closed.
        case frame([UInt8]?)
        case changed
        case stop
        case helloTimeout
    }
}

/// The server's hello timeout: how long a socket may stay without a hello, and the clock that
/// measures it (a test clock in tests).
public struct HelloTimeout: Sendable {
    public var duration: Duration
    public var clock: any Clock<Duration>

    public init(_ duration: Duration, clock: any Clock<Duration> = ContinuousClock()) {
        self.duration = duration
        self.clock = clock
    }
}

/// Ends a running session from outside the protocol (a revoked device): the driver sends `error`
/// as the session's last frame, before any frame still queued from the peer.
public final class SyncStop: Sendable {
    private let error = Mutex<ErrorFrame?>(nil)
    private let continuation: AsyncStream<Void>.Continuation
    let signals: AsyncStream<Void>

    public init() {
        (signals, continuation) = AsyncStream<Void>.makeStream()
    }

    /// Asks the session to end with `error`; only the first request counts.
    public func request(_ error: ErrorFrame) {
        self.error.withLock { if $0 == nil { $0 = error } }
        continuation.yield()
    }

    /// The requested end, if any.
    public var requested: ErrorFrame? { error.withLock { $0 } }
}
