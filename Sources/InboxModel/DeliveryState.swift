/// Where a brand user's message stands on its way to the partner's email.
public enum DeliveryState: String, CaseIterable, Codable, Sendable {
    /// Written on this device; the server has not acknowledged it yet.
    case pending
    /// The server has it (it acknowledged it, or it came from another device through the server);
    /// delivery to the partner has not been reported yet.
    case queued
    /// Handed to the mail transport.
    case sent
    /// Delivery gave up; the reason says why.
    case failed
}
