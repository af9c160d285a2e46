import Causality
import Synchronization

/// Remembers failed enrollment codes per client address over a sliding window: an address with
/// ``ServerLimits/maxEnrollmentFailures`` failures in the last ``ServerLimits/enrollmentWindow``
/// is refused (`429 rate_limited`) until its oldest failure leaves the window, whatever code it
/// sends, so guessing codes costs a minute per few tries. Time comes from an injected clock.
final class EnrollmentLimiter: Sendable {
    /// Addresses remembered at most; past this, addresses with no failure in the window are
    /// forgotten first, then the table is cleared (a flood of addresses cannot grow it forever).
    static let maxAddresses = 10_000

    let maxFailures: Int
    let windowMs: UInt64
    let clock: any PhysicalClock
    /// Failure times (ms) per address, oldest first, at most `maxFailures` each.
    private let failures = Mutex<[String: [UInt64]]>([:])

    init(maxFailures: Int, window: Duration, clock: any PhysicalClock) {
        self.maxFailures = maxFailures
        self.windowMs = UInt64(max(0, window / .milliseconds(1)))
        self.clock = clock
    }

    /// Throws `rate_limited` (429, with the seconds until the address may try again) when
    /// `address` has used up its failures.
    func check(_ address: String) throws(ServerError) {
        let now = clock.nowMilliseconds()
        let wait = failures.withLock { table -> UInt64? in
            guard let times = live(table[address], now: now), times.count >= maxFailures,
                  let oldest = times.first else { return nil }
            return oldest + windowMs - now
        }
        if let wait {
            let seconds = Int((wait + 999) / 1000)
            throw ServerError(.rateLimited, "too many failed enrollment codes from this address; try again in "
                              + "\(seconds) s", retryAfterSeconds: max(seconds, 1))
        }
    }

    /// Counts one failed code from `address`.
    func failed(_ address: String) {
        let now = clock.nowMilliseconds()
        failures.withLock { table in
            if table[address] == nil, table.count >= Self.maxAddresses {
                table = table.filter { live($0.value, now: now) != nil }
                if table.count >= Self.maxAddresses { table.removeAll() }
            }
            var times = live(table[address], now: now) ?? []
            times.append(now)
            table[address] = Array(times.suffix(maxFailures))
        }
    }

    /// The failures still inside the window, or `nil` when none are.
    private func live(_ times: [UInt64]?, now: UInt64) -> [UInt64]? {
        let recent = (times ?? []).filter { $0 + windowMs > now }
        return recent.isEmpty ? nil : recent
    }
}
