import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import NIOCore
import NIOWebSocket
import Wire

/// A WebSocket message a raw test session sends.
enum RawMessage: Sendable {
    /// One binary WebSocket frame, whatever its size.
    case binary([UInt8])
    case text(String)
    /// A binary message cut into WebSocket frames of `fragment` bytes.
    case fragmented([UInt8], fragment: Int)
}

/// What the server sent on one raw socket, and how the socket closed.
struct RawSessionLog: Sendable {
    var received: [WireMessage] = []
    /// Binary messages that were not frames.
    var undecodable = 0
    /// The WebSocket close code the server sent, if any.
    var closeCode: WebSocketErrorCode?

    var errors: [ErrorFrame] { received.compactMap { if case .error(let error) = $0 { error } else { nil } } }
    var gotWelcome: Bool { received.contains { if case .welcome = $0 { true } else { false } } }
}

extension TestClientProtocol {
    /// Opens `/v1/sync` with `token`. With `hello`, sends it and reads until the Welcome (or an
    /// Error); then sends `messages` as they are, and reads everything until the server closes.
    func rawSession(token: String, hello: Hello? = nil,
                    send messages: [RawMessage] = []) async throws -> RawSessionLog {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
        configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        let log = Box(RawSessionLog())
        let close = try await ws("/v1/sync", configuration: configuration) { inbound, outbound, _ in
            var replies = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
            func read(untilWelcome: Bool) async {
                while let reply = try? await replies.next() {
                    guard case .binary(let buffer) = reply else { continue }
                    guard let message = try? FrameCodec.decode(Array(buffer.readableBytesView)) else {
                        log.update { $0.undecodable += 1 }
                        continue
                    }
                    log.update { $0.received.append(message) }
                    if untilWelcome, case .welcome = message { return }
                    if untilWelcome, case .error = message { return }
                }
            }
            if let hello {
                try await outbound.write(.binary(ByteBuffer(bytes: FrameCodec.encode(.hello(hello)))))
                await read(untilWelcome: true)
            }
            for message in messages {
                switch message {
                case .binary(let bytes): try? await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                case .text(let text): try? await outbound.write(.text(text))
                case .fragmented(let bytes, let fragment):
                    var rest = bytes[...]
                    var opcode = WebSocketOpcode.binary
                    while true {
                        let piece = rest.prefix(fragment)
                        rest = rest.dropFirst(piece.count)
                        let frame = WebSocketFrame(fin: rest.isEmpty, opcode: opcode, data: ByteBuffer(bytes: piece))
                        guard (try? await outbound.write(.custom(frame))) != nil, !rest.isEmpty else { break }
                        opcode = .continuation
                    }
                }
            }
            await read(untilWelcome: false)
        }
        log.update { $0.closeCode = close?.closeCode }
        return log.current
    }
}
