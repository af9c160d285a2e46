import Foundation
public import InboxModel

/// One email to a partner, and its RFC 5322 form: what a ``MailTransport`` hands over.
///
/// The rendering is a pure function of the fields, and the fields come from the brand replica
/// (``OutboundMail/reply(in:at:repliedTo:brand:brandName:from:)``): the message's own text, stamp and
/// dot, and the thread headers (`In-Reply-To`, `References`) from its causal past, which later ops
/// cannot change. A message rendered again after a crash is the same bytes, with the same
/// `Message-ID`, as long as the partner's and brand's names and address are the same.
///
/// ```swift
/// let bytes = mail.rendered()   // "Date: …\r\nFrom: …\r\n…\r\n\r\nbody in quoted-printable\r\n"
/// ```
public struct OutboundMail: Hashable, Sendable {
    /// The envelope sender and `From:` address (`--mail-from`).
    public var from: MailAddress
    /// The display name in `From:`, such as "Dana (Northwind Outfitters)".
    public var fromName: String
    /// The partner's contact email: the envelope recipient and `To:` address.
    public var to: MailAddress
    public var toName: String
    public var subject: String
    /// `Date:`: when the user sent the message (ms since the Unix epoch, its HLC wall time).
    public var date: UInt64
    /// `Message-ID:` without angle brackets (``OutboundMail/messageID(brand:message:)``).
    public var messageID: String
    /// `In-Reply-To:`: the message before this one in the thread, if any.
    public var inReplyTo: String?
    /// `References:`: the thread's first message and the one replied to.
    public var references: [String]
    /// The text, as the user wrote it (sent as UTF-8 in quoted-printable).
    public var body: String

    public init(from: MailAddress, fromName: String, to: MailAddress, toName: String, subject: String, date: UInt64,
                messageID: String, inReplyTo: String? = nil, references: [String] = [], body: String) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.toName = toName
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.body = body
    }

    /// The domain on the right of every `Message-ID` this server makes.
    public static let messageIDDomain = "outpost.invalid"

    /// The stable `Message-ID` of a message of a brand, without angle brackets:
    /// `REPLICA.COUNTER.BRAND@outpost.invalid` (`2.5.northwind@outpost.invalid` for message `2:5`).
    /// A dot in the brand id is written `=2E`, so that the left side stays a dot-atom.
    public static func messageID(brand: BrandID, message: MessageID) -> String {
        let brand = brand.rawValue.replacingOccurrences(of: ".", with: "=2E")
        return "\(message.dot.replica).\(message.dot.counter).\(brand)@\(messageIDDomain)"
    }

    /// The name of this message's file in a mail folder: the left side of its `Message-ID` and
    /// `.eml`, so that writing it again replaces it.
    public var fileName: String {
        String(messageID.prefix { $0 != "@" }) + ".eml"
    }

    /// The message in RFC 5322 form: CRLF line ends, 7-bit ASCII (headers with non-ASCII text as
    /// RFC 2047 encoded words, the body in quoted-printable UTF-8), ending in CRLF.
    public func rendered() -> [UInt8] {
        var headers = [
            "Date: \(MailEncoding.date(milliseconds: date))",
            "From: \(MailEncoding.mailbox(name: fromName, address: from))",
            "To: \(MailEncoding.mailbox(name: toName, address: to))",
            "Subject: \(MailEncoding.unstructured(subject))",
            "Message-ID: <\(messageID)>",
        ]
        if let inReplyTo { headers.append("In-Reply-To: <\(inReplyTo)>") }
        if !references.isEmpty { headers.append("References: " + references.map { "<\($0)>" }.joined(separator: "\r\n ")) }
        headers += [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
        ]
        let text = headers.joined(separator: "\r\n") + "\r\n\r\n" + MailEncoding.quotedPrintable(body) + "\r\n"
        return Array(text.utf8)
    }
}
