/// The client side of one SMTP mail transaction (RFC 5321) as a state machine without I/O:
/// greeting, `EHLO` (`HELO` if the relay does not know it), `MAIL FROM`, `RCPT TO`, `DATA`, the
/// dot-stuffed message, then `QUIT`. ``SMTPMailTransport`` feeds it the relay's replies and does
/// what it answers; tests drive it with replies alone.
///
/// A 4xx reply is a ``MailFailure/transient(_:)`` failure, a 5xx reply a
/// ``MailFailure/permanent(_:)`` one, with the relay's reply in the reason.
struct SMTPDialogue {
    enum Step: Equatable {
        case greeting, ehlo, helo, mailFrom, recipient, data, content, accepted
    }

    enum Action: Equatable {
        /// Write these bytes, then read the next reply.
        case send([UInt8])
        /// The relay took the message (250 after the data): record it, then send ``quit``.
        case accepted
        /// Give up (say ``quit`` if the connection still works).
        case fail(MailFailure)
    }

    static let quit = Array("QUIT\r\n".utf8)

    let heloName: String
    let from: MailAddress
    let to: MailAddress
    let content: [UInt8]
    private(set) var step = Step.greeting

    init(heloName: String, from: MailAddress, to: MailAddress, content: [UInt8]) {
        self.heloName = heloName
        self.from = from
        self.to = to
        self.content = content
    }

    mutating func receive(_ reply: SMTPReply) -> Action {
        switch step {
        case .greeting:
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused the connection", reply)) }
            step = .ehlo
            return command("EHLO \(heloName)")
        case .ehlo:
            if reply.kind == 5 {
                // An old relay without ESMTP.
                step = .helo
                return command("HELO \(heloName)")
            }
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused EHLO", reply)) }
            step = .mailFrom
            return command("MAIL FROM:<\(from)>")
        case .helo:
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused HELO", reply)) }
            step = .mailFrom
            return command("MAIL FROM:<\(from)>")
        case .mailFrom:
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused the sender <\(from)>", reply)) }
            step = .recipient
            return command("RCPT TO:<\(to)>")
        case .recipient:
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused the recipient <\(to)>", reply)) }
            step = .data
            return command("DATA")
        case .data:
            guard reply.kind == 3 else { return .fail(Self.refusal("the relay refused DATA", reply)) }
            step = .content
            return .send(Self.dotStuffed(content))
        case .content:
            guard reply.kind == 2 else { return .fail(Self.refusal("the relay refused the message", reply)) }
            step = .accepted
            return .accepted
        case .accepted:
            return .fail(.transient("the relay said more after accepting the message: \(reply)"))
        }
    }

    private func command(_ text: String) -> Action {
        .send(Array((text + "\r\n").utf8))
    }

    /// 4xx: transient; 5xx: permanent; anything else where a 2xx or 3xx was due: transient.
    static func refusal(_ what: String, _ reply: SMTPReply) -> MailFailure {
        switch reply.kind {
        case 5: .permanent("\(what): \(reply)")
        case 4: .transient("\(what) for now: \(reply)")
        default: .transient("\(what) with an unexpected reply: \(reply)")
        }
    }

    /// The message as `DATA` carries it (RFC 5321 §4.5.2): every line end CRLF, a `.` doubled at
    /// the start of a line, and the `CRLF . CRLF` terminator.
    static func dotStuffed(_ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + content.count / 64 + 5)
        var lineStart = true
        var index = 0
        while index < content.count {
            let byte = content[index]
            if lineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                out += [13, 10]
                if byte == UInt8(ascii: "\r"), index + 1 < content.count, content[index + 1] == 10 { index += 1 }
                lineStart = true
            } else {
                out.append(byte)
                lineStart = false
            }
            index += 1
        }
        if !lineStart { out += [13, 10] }
        out += Array(".\r\n".utf8)
        return out
    }
}
