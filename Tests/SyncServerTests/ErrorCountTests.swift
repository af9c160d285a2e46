import Causality
import Foundation
import HummingbirdTesting
import InboxModel
import Testing
import Wire
@testable import SyncServer

/// `outpost_errors_total` (Protocol/SERVER_API.md, "Metrics"): errors the server sent and Error
/// frames devices sent it, counted apart.
@Suite("Errors sent and received are counted apart")
struct ErrorCountTests {
    /// Dana's device's hello, with nothing yet.
    static func hello(_ replica: ReplicaID) -> Hello {
        Hello(replica: replica, brand: TestWorld.northwind, user: TestWorld.dana, have: VersionVector(), clockMs: 0)
    }

    @Test("a device that ends its session with an Error frame is counted as received, not as an error the server sent")
    func receivedIsNotSent() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        let hello = Self.hello(device.enrollment.replica)
        let truncated = ErrorFrame(code: .frameTruncated, message: "frame truncated: expected 113 bytes, got 56",
                                   retryable: false)
        try await world.app.test(.live) { client in
            let log = try await client.rawSession(token: device.enrollment.token, hello: hello,
                                                  send: [.binary(try FrameCodec.encode(.error(truncated)))])
            #expect(log.gotWelcome)
            #expect(log.errors.isEmpty, "the server answers a device's error with nothing but the close")
            try await eventually { world.server.metrics.errorsReceived("frame_truncated") == 1 }
        }
        #expect(world.server.metrics.errors("frame_truncated") == 0)
        let text = world.server.metrics.render()
        #expect(text.contains(#"outpost_errors_total{code="frame_truncated",direction="received"} 1"#), "\(text)")
        #expect(!text.contains(#"direction="sent""#), "\(text)")
    }

    @Test("an error the server sends is counted once, as sent")
    func sentOnce() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana)
        let hello = Self.hello(device.enrollment.replica)
        try await world.app.test(.live) { client in
            let log = try await client.rawSession(token: device.enrollment.token, hello: hello,
                                                  send: [.binary([0x4F, 0x50, 0x53, 0x54, 1, 0, 0, 0])])
            #expect(log.errors.map(\.code) == [.frameTruncated])
            try await eventually { world.server.metrics.errors("frame_truncated") == 1 }
        }
        #expect(world.server.metrics.errorsReceived("frame_truncated") == 0)
        #expect(world.server.metrics.errors("frame_truncated") == 1)
    }
}
