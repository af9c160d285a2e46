import Causality
import InboxModel
public import SyncCore
import Wire

extension SyncDriver {
    /// Runs `session` like ``run(_:untilCaughtUp:events:)``, and also pushes whenever
    /// `localChanges` yields: each element says "this replica has new ops" (a local action, or, on
    /// the server, ops another device or an admin command committed) and feeds
    /// ``SyncSession/localChanged()``. With `untilCaughtUp: false` this is a live session: it
    /// ends only when the peer closes (``SyncFailure/closed``), an error ends it, or the task is
    /// cancelled.
    ///
    /// Frames and notifications are merged into one ordered stream; the session stays a single
    /// state machine driven from this task.
    public func run(_ session: SyncSession, untilCaughtUp: Bool = false, localChanges: AsyncStream<Void>,
                    events: @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        let (inputs, continuation) = AsyncStream<LiveInput>.makeStream()
        let transport = transport
        let receiver = Task {
            while !Task.isCancelled {
                do {
                    let frame = try await transport.receive()
                    continuation.yield(.frame(frame))
                    if frame == nil { break }
                } catch {
                    continuation.yield(.frame(nil))
                    break
                }
            }
        }
        let notifier = Task {
            for await _ in localChanges { continuation.yield(.changed) }
        }
        defer {
            receiver.cancel()
            notifier.cancel()
            continuation.finish()
        }

        var session = session
        var scope: UserID?
        var pending: [SyncAction] = []
        if session.role == .device {
            let have = try storeCall { try store.versionVector() }
            pending = session.start(have: have, clockMs: clock.nowMilliseconds())
        }
        var iterator = inputs.makeAsyncIterator()
        while true {
            while !pending.isEmpty {
                let action = pending.removeFirst()
                if let done = try await perform(action, &session, &pending, &scope, events: events), done, untilCaughtUp {
                    return
                }
            }
            guard let input = await iterator.next() else { throw .closed }
            switch input {
            case .changed:
                pending += session.localChanged()
            case .frame(nil):
                throw .closed
            case .frame(let frame?):
                let message: WireMessage
                do {
                    message = try FrameCodec.decode(frame, limits: limits)
                } catch {
                    let refusal = ErrorFrame(code: error.code, message: error.description, retryable: false)
                    try? await transport.send(try FrameCodec.encode(.error(refusal)))
                    throw .badFrame(error)
                }
                pending += session.receive(message, clockMs: clock.nowMilliseconds())
            }
        }
    }
}

/// What a live session waits for: a frame from the peer (`nil`: closed), or a local change.
enum LiveInput: Sendable {
    case frame([UInt8]?)
    case changed
}
