import HummingbirdWebSocket
import NIOCore
import SyncEngine
import Wire

extension WebSocketFrameTransport {
    /// Reads the device's WebSocket messages into the session until the socket closes, assembling
    /// fragmented messages. A message longer than the largest frame
    /// (``ServerLimits/largestFrame``) is refused with `frame_too_large` as soon as it passes that
    /// size, whatever its header says; a text message with `protocol_violation`
    /// (Protocol/SERVER_API.md). Either ends the session.
    func pump(_ inbound: WebSocketInboundStream) async {
        var message: [UInt8] = []
        var isText = false
        var assembling = false
        do {
            for try await frame in inbound {
                metrics.update { $0.bytesIn += frame.data.readableBytes }
                switch frame.opcode {
                case .text, .binary:
                    guard !assembling else {
                        return await refuse(.protocolViolation, "a new message began inside a fragmented one")
                    }
                    message = []
                    isText = frame.opcode == .text
                    assembling = true
                case .continuation:
                    guard assembling else {
                        return await refuse(.protocolViolation, "a continuation frame outside a message")
                    }
                }
                guard message.count + frame.data.readableBytes <= ServerLimits.largestFrame else {
                    return await refuse(.frameTooLarge, "a message over \(ServerLimits.largestFrame) bytes: "
                                        + "the frame header and the wire limit of \(WireLimits.default.maxFrameBytes)")
                }
                message += frame.data.readableBytesView
                guard frame.fin else { continue }
                assembling = false
                guard !isText else {
                    return await refuse(.protocolViolation, "text messages are not frames; send binary messages")
                }
                await deliver(message)
                message = []
            }
        } catch {
            // The WebSocket layer refused the socket (a frame over its cap, a protocol error) and
            // closed it; nothing more can be sent.
        }
        await finishInbound()
    }

    private func refuse(_ code: ErrorFrame.Code, _ message: String) async {
        await refuse(ErrorFrame(code: code, message: message, retryable: false))
    }
}
