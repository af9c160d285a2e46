import HummingbirdWebSocket
import NIOCore
import SyncClient

/// The server's ``FrameTransport`` over one WebSocket: each binary message is one frame. The
/// session handler pumps the inbound messages in with ``deliver(_:)`` and ends them with
/// ``finishInbound()``; sends go straight to the outbound writer.
final class WebSocketFrameTransport: FrameTransport {
    private let outbound: WebSocketOutboundWriter
    private let metrics: ServerMetrics
    private let mailbox = FrameQueue()

    init(outbound: WebSocketOutboundWriter, metrics: ServerMetrics) {
        self.outbound = outbound
        self.metrics = metrics
    }

    func send(_ frame: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame)))
        metrics.update { $0.bytesOut += frame.count }
    }

    func receive() async throws -> [UInt8]? {
        await mailbox.take()
    }

    func close() async {
        await mailbox.close(dropBuffered: false)
        try? await outbound.close(.normalClosure, reason: nil)
    }

    /// A message from the device: binary is a frame; text is passed on as bytes and fails to decode.
    func deliver(_ message: WebSocketMessage) async {
        let frame: [UInt8]
        switch message {
        case .binary(let buffer): frame = Array(buffer.readableBytesView)
        case .text(let text): frame = Array(text.utf8)
        }
        metrics.update { $0.bytesIn += frame.count }
        await mailbox.put(frame)
    }

    /// The socket closed: pending and later receives end with `nil`.
    func finishInbound(dropBuffered: Bool = false) async {
        await mailbox.close(dropBuffered: dropBuffered)
    }
}
