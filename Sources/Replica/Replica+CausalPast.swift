public import InboxModel
internal import GRDB
import Causality
import Foundation

extension Replica {
    /// The message `message` answers, as its email's `In-Reply-To` names it: of the thread's
    /// messages before it, the newest that its author had applied when writing it (its causal
    /// past). That past never changes, so neither does the answer, whatever arrives later: a reply
    /// written concurrently with another answers what its author had seen, not the other one.
    /// `nil` for the thread's first message. Protocol/SERVER_API.md, "Reply delivery".
    ///
    /// The author's applied vector at the time is the join of the `deps` of its ops up to this one
    /// (Protocol/CAUSALITY.md, "Deps"); it is read backwards from the message, and only as far back
    /// as the stamps allow: an op stamped before a candidate cannot depend on it.
    public func repliedTo(_ message: MessageID, in thread: ThreadView) throws(ReplicaError) -> MessageID? {
        guard let index = thread.messages.firstIndex(where: { $0.id == message }), index > 0 else { return nil }
        let author = message.dot.replica
        return try ReplicaError.wrap {
            try writer.read { db in
                let statement = try db.cachedStatement(
                    sql: "SELECT payload FROM journal WHERE replica = ? AND counter = ?")
                // What the walk back over the author's ops has found: per replica, the newest dot
                // the author depended on (the first found, walking back, is the newest).
                var seen: [ReplicaID: UInt64] = [:]
                var next = message.dot.counter
                var reached: HLCTimestamp?
                func walk(until stamp: HLCTimestamp, for replica: ReplicaID) throws {
                    while seen[replica] == nil, next >= 1, reached.map({ $0 >= stamp }) ?? true {
                        guard let payload = try Data.fetchOne(
                            statement, arguments: [Int64(clamping: author.rawValue), Int64(clamping: next)]) else {
                            throw ReplicaError(.corrupt, "the journal lacks op \(author):\(next) of \(message)'s author")
                        }
                        let op = try OpCodec.decode(payload)
                        for dep in op.deps where seen[dep.replica] == nil { seen[dep.replica] = dep.counter }
                        reached = op.stamp
                        next -= 1
                    }
                }
                for candidate in thread.messages[..<index].reversed() {
                    let dot = candidate.id.dot
                    if dot.replica == author { return candidate.id }
                    try walk(until: candidate.stamp, for: dot.replica)
                    if let counter = seen[dot.replica], counter >= dot.counter { return candidate.id }
                }
                return nil
            }
        }
    }
}
