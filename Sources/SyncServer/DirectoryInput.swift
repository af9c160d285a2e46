import Foundation
import InboxModel

/// The checks every ``ServerDirectory`` (and the rest of the server's store) makes on what an
/// operator or a device hands it, in one place so that both stores refuse the same input with the
/// same error before anything is written.
package enum DirectoryInput {
    /// A brand, user, partner or token name: 1 to 200 characters, not only spaces, one line.
    package static func requireName(_ name: String) throws(ServerError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw ServerError(.invalidArgument, "the name must be 1 to 200 characters")
        }
        try requireNoControls(name, "the name")
    }

    /// An email address: one line, an `@`, no space, at most 254 characters.
    package static func requireEmail(_ email: String) throws(ServerError) {
        try requireNoControls(email, "the email address")
        guard email.contains("@"), email.count <= 254, !email.contains(where: \.isWhitespace) else {
            throw ServerError(.invalidArgument, "not an email address: \(email)")
        }
    }

    /// A device's name as enrolled: trimmed, 1 to 100 characters.
    package static func deviceName(_ name: String) throws(ServerError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else {
            throw ServerError.badRequest("deviceName must be 1 to 100 characters")
        }
        return trimmed
    }

    /// Names, addresses and ids are single-line text: no control character (``TextRules``), so
    /// that nothing is cut short at a NUL where it is stored or mailed.
    package static func requireNoControls(_ text: String, _ what: String) throws(ServerError) {
        guard TextRules.isAllowedSingleLine(text) else {
            throw ServerError(.invalidArgument,
                              "\(what) contains the control character \(TextRules.firstControl(text) ?? "?")")
        }
    }
}
