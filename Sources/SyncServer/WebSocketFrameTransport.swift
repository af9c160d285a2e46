import HummingbirdWebSocket
import NIOCore
import SyncEngine
import Synchronization
import Wire

/// The server's ``FrameTransport`` over one WebSocket: each binary message is one frame. The
/// session handler pumps the inbound messages in with ``pump(_:)`` and ends them with
/// ``finishInbound(dropBuffered:)``; sends go straight to the outbound writer. ``refuse(_:)``
/// ends the session from outside the driver (a timeout, an oversized message) with one last
/// Error frame.
final class WebSocketFrameTransport: FrameTransport {
    private let outbound: WebSocketOutboundWriter
    let metrics: ServerMetrics
    private let mailbox = FrameQueue()
    /// Set once ``refuse(_:)`` sent the session's last frame: later sends fail.
    private let sealed = Mutex(false)

    /// A send after the session's last frame.
    struct Sealed: Error {}

    init(outbound: WebSocketOutboundWriter, metrics: ServerMetrics) {
        self.outbound = outbound
        self.metrics = metrics
    }

    func send(_ frame: [UInt8]) async throws {
        guard !sealed.withLock({ $0 }) else { throw Sealed() }
        try await write(frame)
    }

    func receive() async throws -> [UInt8]? {
        await mailbox.take()
    }

    func close() async {
        await mailbox.close(dropBuffered: false)
        try? await outbound.close(.normalClosure, reason: nil)
    }

    /// Ends the session with `error` as its last frame, counted in the metrics: later sends fail
    /// and the driver sees the inbound side end. Only the first refusal is sent.
    func refuse(_ error: ErrorFrame) async {
        let first = sealed.withLock { sealed in
            defer { sealed = true }
            return !sealed
        }
        guard first else { return }
        metrics.error(error.code)
        // Best effort on a socket about to close: the refusal is already counted and logged.
        if let frame = try? FrameCodec.encode(.error(error)) { try? await write(frame) }
        await finishInbound(dropBuffered: true)
    }

    /// Frames read from the socket and not yet taken by the session, at most: a device has at most
    /// two batches and their acks in flight (SPEC.md), so more means it does not wait, and reading
    /// stops until the session catches up (the socket's backpressure then holds the device back).
    static let maxQueuedFrames = 8

    /// A frame from the device for the session; waits while ``maxQueuedFrames`` are queued.
    func deliver(_ frame: [UInt8]) async {
        await mailbox.put(frame, waitingBelow: Self.maxQueuedFrames)
    }

    /// The socket closed: pending and later receives end with `nil`.
    func finishInbound(dropBuffered: Bool = false) async {
        await mailbox.close(dropBuffered: dropBuffered)
    }

    private func write(_ frame: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame)))
        metrics.update { $0.bytesOut += frame.count }
    }
}
