import Causality
import GRDB

/// The `clock` table: a replica's causal bookkeeping in one small B-tree, so that a transaction
/// that applies an op rewrites one page for all of it. Rows by `kind`: the applied vector (per
/// replica, the highest counter applied, a gap-free prefix), the local context (what this
/// replica's latest own op depended on) and the hybrid logical clock's greatest stamp.
struct ClockTable {
    /// What the table holds, read in one query.
    struct State {
        var vector = VersionVector()
        var localContext = VersionVector()
        var wall: UInt64 = 0
        var logical: UInt32 = 0
    }

    /// The `kind` column (schema v7 writes the same numbers).
    enum Kind: Int64 {
        case vector = 0
        case localContext = 1
        case hybrid = 2
    }

    static func load(_ db: Database) throws -> State {
        var state = State()
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, replica, counter, logical FROM clock")) {
            let replica = ReplicaID(UInt64(clamping: row[1] as Int64))
            let counter = UInt64(clamping: row[2] as Int64)
            switch Kind(rawValue: row[0]) {
            case .vector: state.vector.advance(Dot(replica: replica, counter: counter))
            case .localContext: state.localContext.advance(Dot(replica: replica, counter: counter))
            case .hybrid:
                state.wall = counter
                state.logical = UInt32(clamping: row[3] as Int64)
            case nil: continue  // a kind a newer build added would come with a migration this one refuses
            }
        }
        return state
    }

    /// The applied vector alone.
    static func vector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT replica, counter FROM clock WHERE kind = \(Kind.vector.rawValue)")) {
            vector.advance(Dot(replica: ReplicaID(UInt64(clamping: row[0] as Int64)), counter: UInt64(clamping: row[1] as Int64)))
        }
        return vector
    }

    /// The highest counter of `replica` applied here (0 for none).
    static func applied(_ replica: ReplicaID, _ db: Database) throws -> UInt64 {
        UInt64(clamping: try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT counter FROM clock WHERE kind = \(Kind.vector.rawValue) AND replica = ?"),
            arguments: [Int64(clamping: replica.rawValue)]) ?? 0)
    }

    static func store(_ kind: Kind, _ replica: ReplicaID, counter: UInt64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO clock (kind, replica, counter) VALUES (?, ?, ?)")
            .execute(arguments: [kind.rawValue, Int64(clamping: replica.rawValue), Int64(clamping: counter)])
    }

    static func storeClock(wall: UInt64, logical: UInt32, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO clock (kind, replica, counter, logical) VALUES (\(Kind.hybrid.rawValue), 0, ?, ?)
            """)
            .execute(arguments: [Int64(clamping: wall), Int64(logical)])
    }
}
