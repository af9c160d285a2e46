import Causality
import Testing
@testable import SyncServer

@Suite("The limiters on their own")
struct LimiterTests {
    @Test("enrollment failures are counted per address over a sliding window")
    func enrollmentWindow() throws {
        let clock = SteppingClock(1_000_000)
        let limiter = EnrollmentLimiter(maxFailures: 3, window: .seconds(60), clock: clock)
        for _ in 0..<3 {
            try limiter.check("10.0.0.1")
            limiter.failed("10.0.0.1")
            clock.advance(by: 20_000)
        }
        // Failures at 0, 20 and 40 s; now 60 s: the first just left the window.
        try limiter.check("10.0.0.1")
        limiter.failed("10.0.0.1")
        clock.advance(by: 5_000)
        let error = #expect(throws: ServerError.self) { try limiter.check("10.0.0.1") }
        #expect(error?.code == .rateLimited)
        #expect(error?.status == 429)
        #expect(error?.retryAfterSeconds == 15)
        // Another address is not affected.
        try limiter.check("10.0.0.2")
        clock.advance(by: 15_000)
        try limiter.check("10.0.0.1")
    }

    @Test("connection slots per device and in total are taken and given back")
    func connectionSlots() {
        let limiter = ConnectionLimiter(maxTotal: 3, maxPerDevice: 2)
        let a = ReplicaID(2), b = ReplicaID(3)
        #expect(limiter.admit(a) == nil)
        #expect(limiter.admit(a) == nil)
        #expect(limiter.admit(a)?.contains("this device") == true)
        #expect(limiter.admit(b) == nil)
        #expect(limiter.admit(b)?.contains("the server") == true)
        #expect(limiter.open == 3)
        limiter.release(a)
        #expect(limiter.admit(b) == nil)
        #expect(limiter.open == 3)
    }
}
