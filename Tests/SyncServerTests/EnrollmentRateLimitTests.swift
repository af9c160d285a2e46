import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import Replica
import Testing
@testable import SyncServer

@Suite("The enrollment rate limit", .timeLimit(.minutes(5)))
struct EnrollmentRateLimitTests {
    static func enroll(_ code: String, _ client: some TestClientProtocol) async throws -> TestResponse {
        try await client.execute(uri: "/v1/enroll", method: .post,
                                 body: ByteBuffer(string: #"{"code":"\#(code)","deviceName":"x"}"#)) { $0 }
    }

    @Test("failed codes from one address end in 429 rate_limited, even for a good code, until the window slides on")
    func overTheSocket() async throws {
        let clock = SteppingClock(SystemClock().nowMilliseconds())
        let world = try TestWorld(limits: ServerLimits(maxEnrollmentFailures: 3), clock: clock)
        defer { world.cleanUp() }
        let code = try world.store.makeEnrollmentCode(brand: TestWorld.northwind, user: TestWorld.dana,
                                                      validForMs: 3_600_000)
        try await world.app.test(.live) { client in
            for guess in 0..<3 {
                let response = try await Self.enroll("guess-\(guess)", client)
                #expect(response.status == .forbidden)
                #expect(HTTPEndpointTests.errorCode(response) == "code_invalid")
                clock.advance(by: 10_000)
            }
            let limited = try await Self.enroll(code, client)
            #expect(limited.status == .tooManyRequests)
            #expect(HTTPEndpointTests.errorCode(limited) == "rate_limited")
            // The first failure leaves the window 60 s after it was made: 30 s from now.
            #expect(limited.headers[.retryAfter] == "30")
            #expect(try world.store.devices(brand: TestWorld.northwind).isEmpty)

            clock.advance(by: 30_000)
            let enrolled = try await Self.enroll(code, client)
            #expect(enrolled.status == .ok)
        }
        #expect(try world.store.devices(brand: TestWorld.northwind).count == 1)
        let metrics = world.server.metrics.render()
        #expect(metrics.contains(#"outpost_errors_total{code="rate_limited",direction="sent"} 1"#))
        #expect(metrics.contains(#"outpost_errors_total{code="code_invalid",direction="sent"} 3"#))
    }
}
