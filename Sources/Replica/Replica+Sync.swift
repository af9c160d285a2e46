public import Causality
public import InboxModel
public import Wire
internal import GRDB
import Foundation

extension Replica {
    /// Up to `limit` journaled ops that `vector` does not cover, in journal (causal) order, and
    /// whether more remain: what a sync peer with `vector` lacks.
    ///
    /// Per replica, ops are journaled in counter order, so the first `limit` missing ops of each
    /// replica (by the `(replica, counter)` index) contain the first `limit` missing ops overall.
    public func ops(missingFrom vector: VersionVector, limit: Int) throws(ReplicaError) -> (ops: [Op], more: Bool) {
        let (encoded, more) = try encodedOps(missingFrom: vector, limit: limit)
        do {
            return (try encoded.map { op throws(WireError) in try op.decoded() }, more)
        } catch {
            throw ReplicaError(.corrupt, "a journal entry cannot be read: \(error)", underlying: error)
        }
    }

    /// ``ops(missingFrom:limit:)`` as the journal stores them: payload bytes, not decoded, with the
    /// dot and private owner from the journal's columns. What a sync sends.
    public func encodedOps(missingFrom vector: VersionVector, limit: Int) throws(ReplicaError) -> (ops: [EncodedOp], more: Bool) {
        guard limit > 0 else { throw ReplicaError(.invalidArgument, "limit must be positive") }
        let rows = try ReplicaError.wrap {
            try writer.read { db -> (payloads: [Row], more: Bool) in
                var seqs: [Int64] = []
                let statement = try db.cachedStatement(sql: """
                    SELECT seq FROM journal WHERE replica = ? AND counter > ? ORDER BY counter LIMIT ?
                    """)
                for (replica, counter) in try ClockTable.vector(db).entries {
                    let known = vector[replica]
                    guard counter > known else { continue }
                    seqs += try Int64.fetchAll(statement, arguments: [Int64(clamping: replica.rawValue),
                                                                      Int64(clamping: known), limit + 1])
                }
                seqs.sort()
                let more = seqs.count > limit
                let chosen = seqs.prefix(limit)
                let lookup = try db.cachedStatement(sql: "SELECT replica, counter, owner, payload FROM journal WHERE seq = ?")
                var payloads: [Row] = []
                payloads.reserveCapacity(chosen.count)
                for seq in chosen {
                    if let row = try Row.fetchOne(lookup, arguments: [seq]) { payloads.append(row) }
                }
                return (payloads, more)
            }
        }
        var ops: [EncodedOp] = []
        ops.reserveCapacity(rows.payloads.count)
        for row in rows.payloads {
            let replica: Int64 = row[0]
            let counter: Int64 = row[1]
            let owner: String? = row[2]
            let payload: Data = row[3]
            let privateOwner = try owner.map { text throws(ReplicaError) in
                guard let user = UserID(rawValue: text) else {
                    throw ReplicaError(.corrupt, "a journal entry names a bad owner \"\(text)\"")
                }
                return user
            }
            ops.append(EncodedOp(stored: [UInt8](payload),
                                 dot: Dot(replica: ReplicaID(UInt64(clamping: replica)), counter: UInt64(clamping: counter)),
                                 privateOwner: privateOwner))
        }
        return (ops, rows.more)
    }
}
