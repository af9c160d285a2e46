import Foundation

/// The pieces of RFC 5322 / MIME text that ``OutboundMail`` is made of: 7-bit ASCII only, so that
/// any relay carries it (no 8BITMIME or SMTPUTF8 needed).
enum MailEncoding {
    /// Header text with line breaks and other control characters turned into spaces: text from
    /// users can never start a header of its own.
    static func headerText(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }

    /// An unstructured header value (`Subject:`): plain when printable ASCII, else RFC 2047
    /// encoded words. Text that holds `=?` is encoded too, whatever its characters: a partner's
    /// subject that is itself an encoded word (`=?UTF-8?B?…?=`) must reach the reader as the text
    /// it is, not be decoded by their mail program into something else.
    static func unstructured(_ text: String) -> String {
        let clean = headerText(text)
        return isPlainASCII(clean) && !clean.contains("=?") ? clean : encodedWords(clean)
    }

    /// `"Display Name" <local@domain>`: the name as a quoted string when printable ASCII, else as
    /// encoded words; just `<local@domain>` without a name.
    static func mailbox(name: String, address: MailAddress) -> String {
        let clean = headerText(name)
        guard !clean.isEmpty else { return "<\(address)>" }
        if isPlainASCII(clean) && !clean.contains("=?") {
            let quoted = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return "\(encodedWords(clean)) <\(address)>"
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters (45 bytes of text each, never
    /// splitting a character), folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// The body as quoted-printable UTF-8 (RFC 2045 §6.7): line ends become CRLF, encoded lines
    /// stay within 76 characters by soft breaks, and spaces at a line's end are encoded.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !last)
                let token = literal ? String(UnicodeScalar(byte)) : "=" + hex(byte)
                if current.utf8.count + token.utf8.count > 75 {
                    out.append(current + "=")
                    current = ""
                }
                current += token
            }
            out.append(current)
        }
        return out.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// An RFC 5322 date in UTC: `Tue, 02 Jun 2026 10:00:00 +0000`.
    static func date(milliseconds: UInt64) -> String {
        let seconds = Int64(clamping: milliseconds / 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(day)) \(months[Int(month - 1)]) \(year) "
            + "\(two(time / 3_600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }
}
