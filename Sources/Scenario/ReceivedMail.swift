import Foundation

/// One mail a partner received, read back from its RFC 5322 bytes (what the delivery handed over:
/// a `.eml` file live, the rendered mail in the simulator), for `expect: mail`.
struct ReceivedMail: Hashable, Sendable {
    /// The `To:` address (inside the angle brackets).
    var to: String
    var subject: String
    /// `Message-ID:`, `In-Reply-To:` and `References:` without angle brackets.
    var messageID: String
    var inReplyTo: String?
    var references: [String]
    /// The body, quoted-printable decoded, with LF line ends.
    var body: String

    /// `nil` when the bytes are not a mail with a `Message-ID` and a `To` address.
    init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        var headers: [(String, String)] = []
        for line in text[..<split.lowerBound].components(separatedBy: "\r\n") {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.0, last.1 + line))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...])
                    .trimmingCharacters(in: .whitespaces)))
            }
        }
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        func ids(_ value: String?) -> [String] {
            guard let value else { return [] }
            return value.components(separatedBy: "<").dropFirst().compactMap { $0.components(separatedBy: ">").first }
        }
        guard let messageID = ids(header("message-id")).first, let to = ids(header("to")).last else { return nil }
        self.to = to
        self.messageID = messageID
        inReplyTo = ids(header("in-reply-to")).first
        references = ids(header("references"))
        subject = Self.decodeWords(header("subject") ?? "")
        var body = String(text[split.upperBound...])
        if body.hasSuffix("\r\n") { body.removeLast() }
        self.body = Self.quotedPrintable(body)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words (the only kind the server writes), folded words joined.
    static func decodeWords(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var bytes: [UInt8] = []
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let parts = word.split(separator: "?", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "=", parts[2].uppercased() == "B",
                  let data = Data(base64Encoded: String(parts[3])) else { return value }
            bytes += data
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Quoted-printable (RFC 2045 §6.7) to text: soft breaks joined, `=XX` decoded, CRLF → LF.
    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < input.count, input[index + 1] == 13, input[index + 2] == 10 {
                    index += 3
                    continue
                }
                if index + 2 < input.count, let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self),
                                                             radix: 16) {
                    bytes.append(value)
                    index += 3
                    continue
                }
            }
            if byte == 13, index + 1 < input.count, input[index + 1] == 10 {
                bytes.append(10)
                index += 2
                continue
            }
            bytes.append(byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
