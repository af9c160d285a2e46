import Testing
@testable import SyncServer

@Suite("The SMTP client dialogue, without sockets")
struct SMTPDialogueTests {
    static func dialogue(content: String = "Subject: x\r\n\r\nhello\r\n") -> SMTPDialogue {
        SMTPDialogue(heloName: "outpost.example", from: MailAddress("outpost@localhost")!,
                     to: MailAddress("hello@juniper.example")!, content: Array(content.utf8))
    }

    static func reply(_ code: Int, _ text: String = "ok") -> SMTPReply { SMTPReply(code: code, lines: [text]) }

    static func sent(_ action: SMTPDialogue.Action) -> String? {
        if case .send(let bytes) = action { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    @Test("greeting, EHLO, MAIL FROM, RCPT TO, DATA, the dot-stuffed message: accepted")
    func happyPath() {
        var dialogue = Self.dialogue(content: "Subject: x\r\n\r\n.leading dot\r\n..two\r\nlast line")
        #expect(Self.sent(dialogue.receive(Self.reply(220, "relay ESMTP"))) == "EHLO outpost.example\r\n")
        #expect(Self.sent(dialogue.receive(SMTPReply(code: 250, lines: ["relay", "8BITMIME", "SIZE 1000"])))
            == "MAIL FROM:<outpost@localhost>\r\n")
        #expect(Self.sent(dialogue.receive(Self.reply(250))) == "RCPT TO:<hello@juniper.example>\r\n")
        #expect(Self.sent(dialogue.receive(Self.reply(250))) == "DATA\r\n")
        #expect(Self.sent(dialogue.receive(Self.reply(354, "go ahead")))
            == "Subject: x\r\n\r\n..leading dot\r\n...two\r\nlast line\r\n.\r\n")
        #expect(dialogue.receive(Self.reply(250, "2.0.0 queued as ABC")) == .accepted)
    }

    @Test("a relay that does not know EHLO is greeted with HELO")
    func heloFallback() {
        var dialogue = Self.dialogue()
        _ = dialogue.receive(Self.reply(220))
        #expect(Self.sent(dialogue.receive(Self.reply(502, "command not implemented"))) == "HELO outpost.example\r\n")
        #expect(Self.sent(dialogue.receive(Self.reply(250))) == "MAIL FROM:<outpost@localhost>\r\n")
    }

    @Test("5xx is permanent, 4xx transient, with the relay's reply in the reason", arguments: [
        (0, 554, "permanent"), (0, 421, "transient"), (2, 550, "permanent"), (3, 550, "permanent"),
        (3, 451, "transient"), (4, 554, "permanent"), (5, 552, "permanent"), (5, 452, "transient"),
        (3, 354, "transient"),
    ])
    func refusals(step: Int, code: Int, kind: String) {
        var dialogue = Self.dialogue()
        let good = [220, 250, 250, 250, 354, 250]
        for index in 0..<step { _ = dialogue.receive(Self.reply(good[index])) }
        let action = dialogue.receive(Self.reply(code, "5.1.1 mailbox unavailable"))
        guard case .fail(let failure) = action else {
            Issue.record("expected a failure, got \(action)")
            return
        }
        if kind == "permanent" {
            #expect(failure == .permanent(failure.reason))
        } else {
            #expect(failure == .transient(failure.reason))
        }
        #expect(failure.reason.contains("\(code) 5.1.1 mailbox unavailable"), "\(failure.reason)")
        if step == 3 { #expect(failure.reason.contains("recipient <hello@juniper.example>")) }
    }

    @Test("replies are cut from lines: multi-line, bare LF, and malformed ones refused")
    func replyParser() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.line(Array("250-relay.test".utf8)) == nil)
        #expect(try parser.line(Array("250-SIZE 1000".utf8)) == nil)
        #expect(try parser.line(Array("250 HELP".utf8)) == SMTPReply(code: 250, lines: ["relay.test", "SIZE 1000", "HELP"]))
        #expect(try parser.line(Array("220".utf8)) == SMTPReply(code: 220, lines: [""]))
        #expect(SMTPReply(code: 550, lines: ["5.1.1 no", "such user"]).description == "550 5.1.1 no such user")
        for bad in ["hello", "25 x", "2500 x", "999 x", "250x", ""] {
            var fresh = SMTPReplyParser()
            #expect(throws: SMTPReplyParser.Failure.self, "\(bad)") { try fresh.line(Array(bad.utf8)) }
        }
        var mixed = SMTPReplyParser()
        _ = try mixed.line(Array("250-a".utf8))
        #expect(throws: SMTPReplyParser.Failure.self) { try mixed.line(Array("251 b".utf8)) }
        var long = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Failure.lineTooLong) {
            try long.line(Array(("250 " + String(repeating: "x", count: SMTPReplyParser.maxLine)).utf8))
        }
    }

    @Test("dot-stuffing turns every line end into CRLF and ends with CRLF . CRLF")
    func dotStuffing() {
        let stuffed = String(decoding: SMTPDialogue.dotStuffed(Array(".a\nb\r.c\r\n.\r\n".utf8)), as: UTF8.self)
        #expect(stuffed == "..a\r\nb\r\n..c\r\n..\r\n.\r\n")
    }

    @Test("--smtp relay addresses", arguments: [
        ("127.0.0.1:2525", "127.0.0.1", 2525), ("mail.example.com:25", "mail.example.com", 25),
        ("[::1]:587", "::1", 587), ("localhost:0", nil, 0), ("localhost", nil, 0), (":25", nil, 0),
        ("host:65536", nil, 0), ("::1:25", nil, 0), ("host:x", nil, 0), ("a b:25", nil, 0), ("[::1]25", nil, 0),
        ("host:+25", nil, 0),
    ])
    func relayAddress(text: String, host: String?, port: Int) {
        let relay = SMTPMailTransport.relay(text)
        #expect(relay?.host == host, "\(text)")
        if host != nil { #expect(relay?.port == port) }
    }
}
