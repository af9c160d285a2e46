public import InboxModel
public import Replica

extension OutboundMail {
    /// The email for message `index` of `thread` (a brand user's message), as the brand replica
    /// holds it: to the partner's contact email, from `from` in the author's and brand's name, the
    /// thread's subject (with `Re: ` after its first message), dated when the user sent it, and
    /// threaded by `In-Reply-To`/`References` to the message before it and the first.
    ///
    /// Throws ``MailFailure/permanent(_:)`` when the partner's email cannot be an SMTP recipient.
    public static func reply(in thread: ThreadView, at index: Int, repliedTo: MessageID?, brand: BrandID,
                             brandName: String, from: MailAddress) throws(MailFailure) -> OutboundMail {
        let message = thread.messages[index]
        let partner = thread.partner.partner
        guard let to = MailAddress(partner.contactEmail) else {
            throw .permanent("the partner's email address \(partner.contactEmail) cannot receive mail")
        }
        var subject = thread.subject
        if index > 0, !subject.lowercased().hasPrefix("re:") { subject = "Re: " + subject }
        // What the message answers, from its causal past (``Replica/repliedTo(_:in:)``), not the
        // message before it in the thread as it stands now: a later render says the same.
        let previous = index > 0 ? repliedTo.map { messageID(brand: brand, message: $0) } : nil
        var references: [String] = []
        if index > 0 {
            references.append(messageID(brand: brand, message: thread.messages[0].id))
            if let previous, previous != references[0] { references.append(previous) }
        }
        return OutboundMail(
            from: from, fromName: "\(message.authorName) (\(brandName))", to: to, toName: partner.name,
            subject: subject, date: message.time, messageID: messageID(brand: brand, message: message.id),
            inReplyTo: previous, references: references, body: message.body)
    }
}
