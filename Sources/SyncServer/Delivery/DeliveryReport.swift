public import InboxModel

/// What one delivery attempt made of one owed message (``ServerStore/deliverNow(configuration:logger:)``).
public struct DeliveryReport: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// Handed to the transport; `sent` is committed. `attempt` counts from 1.
        case sent(mail: OutboundMail, attempt: Int)
        /// Failed for good; the message shows `failed` with this reason.
        case failed(reason: String)
        /// A transient failure: the message shows `queued` with this reason and is tried again later.
        case retrying(reason: String, attempt: Int)
    }

    public var brand: BrandID
    public var message: MessageID
    public var conversation: ConversationID
    public var outcome: Outcome
}
