import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import NIOCore
import Testing
import Wire
@testable import SyncServer

@Suite("Malformed frames over the socket", .timeLimit(.minutes(5)))
struct MalformedFrameTests {
    /// Sends `message` as the first message of an authorised session; returns the server's answer.
    static func answer(to message: WebSocketOutboundWriter.OutboundFrame, world: TestWorld) async throws -> WireMessage? {
        let device = try world.enroll(TestWorld.dana)
        var configuration = WebSocketClientConfiguration(maxFrameSize: 4 << 20)
        configuration.additionalHeaders[.authorization] = "Bearer \(device.enrollment.token)"
        let answer = Box<WireMessage?>(nil)
        let settings = configuration
        _ = try await world.app.test(.live) { client in
            try await client.ws("/v1/sync", configuration: settings) { inbound, outbound, _ in
                try await outbound.write(message)
                for try await reply in inbound.messages(maxSize: 4 << 20) {
                    if case .binary(let buffer) = reply {
                        answer.update { $0 = try? FrameCodec.decode(Array(buffer.readableBytesView)) }
                    }
                }
            }
        }
        return answer.current
    }

    @Test("garbage, a text message and a frame that is not a hello each get an Error frame and a close")
    func refused() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let garbage = try await Self.answer(to: .binary(ByteBuffer(bytes: [0xFF, 0x00, 0x13, 0x37])), world: world)
        guard case .error(let frame)? = garbage else { Issue.record("no error frame: \(String(describing: garbage))"); return }
        #expect(frame.code.rawValue.hasPrefix("frame_") || frame.code == .unsupportedVersion)
        let text = try await Self.answer(to: .text("hello?"), world: world)
        guard case .error(let textError)? = text else { Issue.record("no error frame for text"); return }
        #expect(textError.code == .protocolViolation)
        let ack = try FrameCodec.encode(.ack(Ack(have: .init(), batch: 1)))
        let outOfPlace = try await Self.answer(to: .binary(ByteBuffer(bytes: ack)), world: world)
        guard case .error(let violation)? = outOfPlace else { Issue.record("no error frame for an ack"); return }
        #expect(violation.code == .protocolViolation)
    }

    @Test("a message over the wire limit in fragments gets frame_too_large as soon as it passes the limit")
    func fragmentedOverLimit() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        let huge = [UInt8](repeating: 0x42, count: 3 * ServerLimits.largestFrame)
        try await world.app.test(.live) { client in
            let log = try await client.rawSession(token: device.enrollment.token,
                                                  send: [.fragmented(huge, fragment: 1 << 20)])
            #expect(log.errors.map(\.code) == [.frameTooLarge])
            #expect(!log.gotWelcome)
        }
        #expect(world.server.metrics.errors("frame_too_large") == 1)
    }

    @Test("one WebSocket frame over the WebSocket layer's cap gets close 1009 and no Error frame; the server goes on")
    func webSocketFrameOverCap() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        let other = try world.enroll(TestWorld.sam)
        try await world.app.test(.live) { client in
            let huge = [UInt8](repeating: 0x42, count: ServerLimits.webSocketFrameCap + 1)
            let log = try await client.rawSession(token: device.enrollment.token, send: [.binary(huge)])
            #expect(log.received.isEmpty)
            #expect(log.closeCode == .messageTooLarge)
            // Just under the cap, the message is read and answered.
            let under = [UInt8](repeating: 0x42, count: ServerLimits.webSocketFrameCap)
            let answered = try await client.rawSession(token: device.enrollment.token, send: [.binary(under)])
            #expect(answered.errors.map(\.code) == [.frameTooLarge])
            #expect(try await client.sync(other.replica, token: other.enrollment.token) == .caughtUp)
        }
    }
}
