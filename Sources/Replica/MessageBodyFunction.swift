import Foundation
import GRDB
import Wire

/// `message_body(payload)`: the text of a message op (start or post) from its journal payload, NULL
/// for any other op. The `messages` view reads bodies through it (schema v8 keeps a message's text
/// once, in its op), so every connection a replica opens registers it; a payload that cannot be
/// read is an SQL error, never a guess.
enum MessageBodyFunction {
    static let function = DatabaseFunction("message_body", argumentCount: 1, pure: true) { values in
        guard let payload = Data.fromDatabaseValue(values[0]) else { return nil as String? }
        do {
            return try OpPayload.messageBody([UInt8](payload))
        } catch {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "a journal payload cannot be read: \(error)")
        }
    }
}
