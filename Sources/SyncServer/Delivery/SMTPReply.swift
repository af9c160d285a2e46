/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines, joined by a space.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    /// The reply's text lines, without the codes.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The code's first digit: 2 done, 3 go on, 4 try again later, 5 never.
    public var kind: Int { code / 100 }

    /// `550 5.1.1 no such mailbox`: the code and the text, as people read it in a reason.
    public var description: String {
        ([String(code)] + lines.filter { !$0.isEmpty }).joined(separator: " ")
    }
}

/// Cuts reply lines into ``SMTPReply`` values: `250-first`, `250-second`, `250 last`. Pure: bytes
/// in, replies out; the NIO decoder (``SMTPReplyDecoder``) and the tests feed it.
struct SMTPReplyParser {
    /// Longest reply line accepted (RFC 5321 allows 512; relays are generous with text).
    static let maxLine = 4_096
    /// Most lines in one reply.
    static let maxLines = 100

    enum Failure: Error, Equatable, CustomStringConvertible {
        case lineTooLong
        case tooManyLines
        case malformed(String)

        var description: String {
            switch self {
            case .lineTooLong: "the relay sent a reply line over \(SMTPReplyParser.maxLine) bytes"
            case .tooManyLines: "the relay sent a reply of over \(SMTPReplyParser.maxLines) lines"
            case .malformed(let line): "the relay sent something that is not an SMTP reply: \(line.prefix(80))"
            }
        }
    }

    private var pending: [String] = []
    private var pendingCode: Int?

    /// One line, without its line end. Returns the reply that this line completes, if any.
    mutating func line(_ bytes: some Collection<UInt8>) throws(Failure) -> SMTPReply? {
        guard bytes.count <= Self.maxLine else { throw .lineTooLong }
        let text = String(decoding: bytes, as: UTF8.self)
        let scalars = Array(bytes)
        guard scalars.count >= 3, scalars[0...2].allSatisfy({ (48...57).contains($0) }),
              scalars.count == 3 || scalars[3] == UInt8(ascii: " ") || scalars[3] == UInt8(ascii: "-"),
              let code = Int(String(text.prefix(3))), (200...599).contains(code) || (100...199).contains(code)
        else { throw .malformed(text) }
        if let pendingCode, pendingCode != code { throw .malformed(text) }
        let rest = scalars.count > 4 ? String(decoding: scalars[4...], as: UTF8.self) : ""
        pending.append(rest)
        guard pending.count <= Self.maxLines else { throw .tooManyLines }
        if scalars.count > 3 && scalars[3] == UInt8(ascii: "-") {
            pendingCode = code
            return nil
        }
        defer { pending = []; pendingCode = nil }
        return SMTPReply(code: code, lines: pending)
    }
}
