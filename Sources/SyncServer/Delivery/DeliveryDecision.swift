public import InboxModel
public import Replica

/// What the delivery rules make of one message as the brand replica holds it, before the
/// attempts are counted (Protocol/SERVER_API.md, "Reply delivery"). A pure function of the thread:
/// the ``DeliveryWorker`` acts on it, and the scenario simulator delivers with it, so that both
/// follow one rule book.
public enum DeliveryDecision: Hashable, Sendable {
    /// Not a brand user's message in a `direct` or `inquiry` conversation: never delivered.
    case notOwed
    /// The brand replica already says `sent` or `failed`.
    case finished
    /// Fails for good without an attempt: the partner has left the platform, or its address
    /// cannot receive mail.
    case fail(reason: String)
    /// Hand this mail over.
    case send(OutboundMail)

    /// The reason a message to a partner that has left the platform fails with.
    public static let partnerLeftReason = "not delivered: the partner has left the platform"

    /// The decision for message `message` of `thread` (the brand replica's view of it);
    /// `repliedTo` is the message it answers (``Replica/repliedTo(_:in:)``: from its causal past).
    public static func decide(thread: ThreadView, message: MessageID, repliedTo: MessageID?, brand: BrandID,
                              brandName: String, from: MailAddress) -> DeliveryDecision {
        guard let index = thread.messages.firstIndex(where: { $0.id == message }),
              thread.kind != .system, thread.messages[index].author.user != nil else { return .notOwed }
        if let state = thread.messages[index].delivery, state == .sent || state == .failed { return .finished }
        if thread.partner.partner.status == .ended { return .fail(reason: partnerLeftReason) }
        do throws(MailFailure) {
            return .send(try OutboundMail.reply(in: thread, at: index, repliedTo: repliedTo, brand: brand,
                                                brandName: brandName, from: from))
        } catch {
            return .fail(reason: error.reason)
        }
    }
}
