import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import ServerAPI
import SyncClient
import Replica
import Testing
import Wire
@testable import SyncServer

@Suite("POST /v1/sync with bad bodies: a JSON error with a stable code, nothing persisted", .timeLimit(.minutes(5)))
struct OneShotBadBodyTests {
    static func hello(_ device: Enrollment) throws -> [UInt8] {
        try FrameCodec.encode(.hello(Hello(replica: device.replica, brand: device.brand, user: device.user,
                                           have: VersionVector(), clockMs: SystemClock().nowMilliseconds())))
    }

    /// Posts `body` with the device's token; returns the status and the JSON error code, if any.
    static func post(_ body: [UInt8], _ device: Enrollment,
                     _ client: some TestClientProtocol) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/v1/sync", method: .post, headers: [.authorization: "Bearer \(device.token)"],
                                 body: ByteBuffer(bytes: body)) { response in
            (response.status, HTTPEndpointTests.errorCode(response))
        }
    }

    @Test("a bad frame after the hello", arguments: BadFrames.all)
    func badFrame(bad: BadFrame) async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana).enrollment
        let before = try world.brandReplica().digest()
        try await world.app.test(.router) { client in
            let (status, code) = try await Self.post(Self.hello(device) + bad.make(device.replica), device, client)
            #expect(code == bad.code)
            #expect(status == (bad.code == "frame_too_large" ? .contentTooLarge : .badRequest))
        }
        #expect(try world.brandReplica().digest() == before)
        #expect(world.server.metrics.errors(bad.code) == 1)
    }

    @Test("a body that is not a Hello and at most one batch is refused whole; a proper one still syncs")
    func wrongShape() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let device = try world.enroll(TestWorld.dana).enrollment
        let before = try world.brandReplica().digest()
        let hello = try Self.hello(device)
        let batch = try BadFrames.batch(device.replica)
        let ack = try FrameCodec.encode(.ack(Ack(have: VersionVector(), batch: 1)))
        try await world.app.test(.router) { client in
            for body in [ack, batch, hello + hello, hello + batch + batch, hello + ack, batch + hello] {
                let (status, code) = try await Self.post(body, device, client)
                #expect(status == .badRequest)
                #expect(code == "protocol_violation")
            }
            #expect(try await Self.post([], device, client) == (.badRequest, "bad_request"))
            let tooLong = [UInt8](repeating: 0, count: OneShotSync.maxBody + 1)
            #expect(try await Self.post(tooLong, device, client) == (.contentTooLarge, "too_large"))
            #expect(try world.brandReplica().digest() == before)

            let (status, code) = try await Self.post(hello + batch, device, client)
            #expect(status == .ok)
            #expect(code == nil)
        }
        #expect(try world.brandReplica().versionVector()[device.replica] == 3)
    }
}
