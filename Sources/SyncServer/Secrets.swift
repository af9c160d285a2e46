import Crypto
package import Foundation

/// Random secrets and their hashes: tokens and enrollment codes are stored only as SHA-256.
package enum Secrets {
    /// 32 random bytes, base64url without padding (43 characters), never starting with `-`: a
    /// token pasted after `--token` must not read as an option (1 token in 64 did).
    package static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let token = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            if !token.hasPrefix("-") { return token }
        }
    }

    /// 20 characters of base32 (`a-z`, `2-7`, 100 bits), shown in groups of five.
    package static func newCode() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] }
        return stride(from: 0, to: 20, by: 5).map { String(characters[$0..<$0 + 5]) }.joined(separator: "-")
    }

    /// A code as typed: case, spaces and `-` do not matter.
    package static func normalizeCode(_ code: String) -> String {
        String(code.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    package static func hash(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }
}
