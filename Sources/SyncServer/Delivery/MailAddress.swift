/// An email address as SMTP carries it in `MAIL FROM:<…>` and `RCPT TO:<…>`: `local@domain`,
/// ASCII only (no SMTPUTF8).
///
/// The local part is a dot-atom (letters, digits and ``MailAddress/atext`` symbols, single dots
/// between them); the domain is dot-separated labels of letters, digits and `-`, or an address
/// literal such as `[127.0.0.1]`. That is stricter than RFC 5321 (no quoted local parts) and loose
/// enough for every address a person types.
///
/// ```swift
/// MailAddress("hello@juniper.example")   // local "hello", domain "juniper.example"
/// MailAddress("no spaces@example.com")   // nil
/// ```
public struct MailAddress: Hashable, Sendable, CustomStringConvertible {
    public let local: String
    public let domain: String

    /// The characters RFC 5322 allows in an atom besides letters and digits.
    static let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    public init?(_ text: String) {
        guard text.utf8.count <= 254, let at = text.utf8.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = String(text[..<at]), domain = String(text[text.index(after: at)...])
        guard Self.isDotAtom(local, maxLength: 64), Self.isDomain(domain) else { return nil }
        self.local = local
        self.domain = domain
    }

    public var description: String { "\(local)@\(domain)" }

    /// Letters, digits and `atext` symbols, with single dots between runs of them.
    static func isDotAtom(_ text: String, maxLength: Int) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength, bytes.first != UInt8(ascii: "."),
              bytes.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !previousDot else { return false }
                previousDot = true
                continue
            }
            previousDot = false
            guard isAlphanumeric(byte) || atext.contains(byte) else { return false }
        }
        return true
    }

    static func isDomain(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        if bytes.first == UInt8(ascii: "[") {
            // An address literal: printable ASCII other than brackets and backslash.
            guard bytes.count > 2, bytes.last == UInt8(ascii: "]") else { return false }
            return bytes.dropFirst().dropLast().allSatisfy { $0 > 32 && $0 < 127 && $0 != 91 && $0 != 92 && $0 != 93 }
        }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}
