import Foundation
import InboxModel
import Testing
@testable import SyncServer

@Suite("RFC 5322 rendering of delivered messages")
struct MailRenderingTests {
    static let mail = OutboundMail(
        from: MailAddress("outpost@northwind.example")!, fromName: "Dana (Northwind Outfitters)",
        to: MailAddress("hello@juniper.example")!, toName: "Juniper & Oak", subject: "Re: Samples",
        date: 1_780_394_400_123, messageID: "2.5.northwind@outpost.invalid", inReplyTo: "1.4.northwind@outpost.invalid",
        references: ["2.3.northwind@outpost.invalid", "1.4.northwind@outpost.invalid"],
        body: "Grüße, Dana = ok  \nline two.")

    @Test("headers, a blank line, the quoted-printable body; CRLF everywhere")
    func exactBytes() {
        let text = String(decoding: Self.mail.rendered(), as: UTF8.self)
        #expect(text == """
            Date: Tue, 02 Jun 2026 10:00:00 +0000\r
            From: "Dana (Northwind Outfitters)" <outpost@northwind.example>\r
            To: "Juniper & Oak" <hello@juniper.example>\r
            Subject: Re: Samples\r
            Message-ID: <2.5.northwind@outpost.invalid>\r
            In-Reply-To: <1.4.northwind@outpost.invalid>\r
            References: <2.3.northwind@outpost.invalid>\r
             <1.4.northwind@outpost.invalid>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Gr=C3=BC=C3=9Fe, Dana =3D ok =20\r
            line two.\r

            """)
        #expect(Self.mail.rendered().allSatisfy { $0 < 128 }, "7-bit clean")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "no bare CR")
    }

    @Test("line breaks in a subject or name cannot start a header of their own")
    func headerInjection() {
        var mail = Self.mail
        mail.subject = "Hello\r\nBcc: victim@example.com"
        mail.toName = "Evil\nX-Injected: yes"
        let lines = String(decoding: mail.rendered(), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.contains("Subject: Hello  Bcc: victim@example.com"))
        #expect(!lines.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Injected:") })
        #expect(lines.contains(#"To: "Evil X-Injected: yes" <hello@juniper.example>"#))
    }

    @Test("non-ASCII subjects and names become RFC 2047 encoded words of at most 75 characters")
    func encodedWords() {
        var mail = Self.mail
        mail.subject = String(repeating: "Grüße aus Köln, ", count: 6)
        mail.fromName = "Zoë \"Z\" (Nørd)"
        let text = String(decoding: mail.rendered(), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let subject = lines.drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subject.count > 1, "folded")
        var decoded = ""
        for line in subject {
            let word = line.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces)
            #expect(word.count <= 75 && word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = String(word.dropFirst(10).dropLast(2))
            decoded += String(decoding: Data(base64Encoded: payload) ?? Data(), as: UTF8.self)
        }
        #expect(decoded == mail.subject.trimmingCharacters(in: .whitespaces))
        #expect(lines.contains { $0.hasPrefix("From: =?UTF-8?B?") && $0.hasSuffix(" <outpost@northwind.example>") })
    }

    @Test("a subject or name that is itself an encoded word is encoded, so it reads as the text it is")
    func literalEncodedWord() throws {
        var mail = Self.mail
        let literal = "=?UTF-8?B?SGVsbG8gV29ybGQ=?="  // what a mail program would show as "Hello World"
        mail.subject = literal
        mail.toName = "=?UTF-8?Q?Bob?="
        let lines = String(decoding: mail.rendered(), as: UTF8.self).components(separatedBy: "\r\n")
        let subject = try #require(lines.first { $0.hasPrefix("Subject: ") })
        #expect(subject != "Subject: \(literal)", "sent as is, the reader's program would decode it")
        let word = String(subject.dropFirst("Subject: ".count))
        #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
        let payload = String(word.dropFirst(10).dropLast(2))
        #expect(String(decoding: Data(base64Encoded: payload) ?? Data(), as: UTF8.self) == literal)
        #expect(lines.contains { $0.hasPrefix("To: =?UTF-8?B?") }, "the name too")
    }

    @Test("quoted-printable lines stay within 76 characters and decode to the text")
    func quotedPrintable() {
        let body = String(repeating: "Ünïcödé wörds and a trailing tab\t", count: 20) + "\n.\nend "
        let encoded = MailEncoding.quotedPrintable(body)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        #expect(Self.decodeQuotedPrintable(encoded) == body.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test("dates in RFC 5322 form, UTC", arguments: [
        (UInt64(0), "Thu, 01 Jan 1970 00:00:00 +0000"),
        (1_780_394_400_123, "Tue, 02 Jun 2026 10:00:00 +0000"),
        (951_782_400_000, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (4_102_444_799_000, "Thu, 31 Dec 2099 23:59:59 +0000"),
    ])
    func dates(milliseconds: UInt64, expected: String) {
        #expect(MailEncoding.date(milliseconds: milliseconds) == expected)
    }

    @Test("the Message-ID and file name come from the brand and the message's dot")
    func stableIDs() {
        let message = MessageID(text: "2f:17")!
        #expect(OutboundMail.messageID(brand: BrandID(rawValue: "northwind")!, message: message)
            == "2f.17.northwind@outpost.invalid")
        let dotted = OutboundMail.messageID(brand: BrandID(rawValue: "acme.co")!, message: message)
        #expect(dotted == "2f.17.acme=2Eco@outpost.invalid")
        var mail = Self.mail
        mail.messageID = dotted
        #expect(mail.fileName == "2f.17.acme=2Eco.eml")
    }

    @Test("addresses SMTP can carry", arguments: [
        ("hello@juniper.example", true), ("a.b+tag@sub.example.co", true), ("outpost@localhost", true),
        ("x@[127.0.0.1]", true), ("no spaces@example.com", false), ("@example.com", false), ("x@", false),
        ("a..b@example.com", false), (".a@example.com", false), ("x@-bad.example", false), ("x@exa_mple.com", false),
        ("jürgen@example.com", false), ("x@example..com", false), ("<x@example.com>", false), ("plain", false),
    ])
    func addresses(text: String, valid: Bool) {
        #expect((MailAddress(text) != nil) == valid, "\(text)")
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "="), index + 2 < source.count,
               let value = UInt8(String(decoding: source[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
