/// How the server delivers brand users' messages to partners (Protocol/SERVER_API.md, "Reply
/// delivery"). `outpost server` sets it from its options; without one, nothing is delivered and
/// messages stay `queued` until a server with one runs.
///
/// ```swift
/// var delivery = DeliveryConfiguration(transport: FileMailTransport(directory: "outpost-data/outbox-mail"))
/// delivery.firstRetry = .seconds(5)
/// let server = OutpostServer(store: store, delivery: delivery)
/// ```
public struct DeliveryConfiguration: Sendable {
    public var transport: any MailTransport
    /// The envelope sender and `From:` address of every message.
    public var from: MailAddress
    /// Attempts per message before it fails for good (transient failures only; a permanent one
    /// fails at once).
    public var maxAttempts: Int
    /// The wait after the first failed attempt; it doubles with every further one, up to
    /// ``maxRetry``, and a random part of up to half of it is taken off (jitter).
    public var firstRetry: Duration
    public var maxRetry: Duration
    /// How often the worker looks for due work when nothing wakes it (a device's new message
    /// wakes it at once).
    public var interval: Duration
    /// A number in `0..<1` for the jitter (injected for tests).
    public var random: @Sendable () -> Double

    /// The sender when none is configured.
    public static let defaultFrom = MailAddress("outpost@localhost")!

    public init(transport: any MailTransport, from: MailAddress = defaultFrom, maxAttempts: Int = 8,
                firstRetry: Duration = .seconds(30), maxRetry: Duration = .seconds(3_600),
                interval: Duration = .seconds(1), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.transport = transport
        self.from = from
        self.maxAttempts = maxAttempts
        self.firstRetry = firstRetry
        self.maxRetry = maxRetry
        self.interval = interval
        self.random = random
    }

    /// The wait before attempt `attempt + 1`: `firstRetry × 2^(attempt−1)`, at most `maxRetry`, of
    /// which a random part of up to half is taken off.
    public func retryDelay(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let full = min(firstRetry * (1 << doublings), maxRetry)
        return full * (1 - random() / 2)
    }
}
