import Foundation
import GRDB
import InboxModel

/// The journal row of one op being applied, written once by ``Materializer/apply(_:journal:)``:
/// first thing for most ops, and for a message op once its conversation is known, since the row
/// is the message (`conversation`, `author`; the `messages` view reads it) and its `seq` is the
/// message's local id.
struct JournalEntry {
    let db: Database
    let op: Op
    let payload: [UInt8]

    /// Inserts the row; returns its `seq`.
    func insert(conversation: Int64? = nil) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO journal (replica, counter, wall, logical, kind, owner, payload, conversation, author)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                Int64(clamping: op.dot.replica.rawValue), Int64(clamping: op.dot.counter), Int64(clamping: op.stamp.wall),
                Int64(clamping: op.stamp.logical), op.kind.rawValue, op.privateOwner?.rawValue, Data(payload),
                conversation, conversation == nil ? nil : op.actor.description,
            ])
        return db.lastInsertedRowID
    }
}
