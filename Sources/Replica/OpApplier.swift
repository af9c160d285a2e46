import Causality
import Foundation
import GRDB
import InboxModel
import Wire

/// The one apply path: op → checks → journal → materialised state, inside the caller's
/// transaction. Local actions and remote batches both come through here.
///
/// Causal delivery: an op `(r, n)` is applied only after `(r, n - 1)` and every dot in its `deps`;
/// one that arrives early is held in `held_ops` and applied as soon as its past is complete. An op
/// already applied is skipped, so applying is idempotent.
struct OpApplier {
    let db: Database
    let identity: ReplicaIdentity
    private(set) var vector: VersionVector
    private var clock: HybridLogicalClock
    private var localContext: VersionVector
    private var changedReplicas: Set<ReplicaID> = []
    /// Replicas whose local-context entry moved (only ops with deps move it).
    private var changedContext: Set<ReplicaID> = []
    private let materializer: Materializer
    private var report = ApplyReport()
    /// Ops this transaction held (to tell them from ops held earlier when they are released).
    private var heldHere: Set<Dot> = []
    /// The ops applied, in order, when ``recordsAppended``: what a ``JournalMirror`` is handed.
    private(set) var appended: [EncodedOp] = []
    private let recordsAppended: Bool

    init(db: Database, identity: ReplicaIdentity, recordsAppended: Bool = false) throws {
        self.db = db
        self.identity = identity
        self.recordsAppended = recordsAppended
        let clock = try ClockTable.load(db)
        self.vector = clock.vector
        self.localContext = clock.localContext
        self.clock = HybridLogicalClock(replica: identity.replica, wall: clock.wall, logical: clock.logical)
        self.materializer = Materializer(db: db, viewer: identity.viewer)
    }

    /// Makes the next local op of this replica: its dot, a fresh stamp and its deps.
    mutating func makeLocalOp(actor: Principal, body: OpBody, physical: UInt64) -> Op {
        let me = identity.replica
        let stamp = clock.tick(physical: physical)
        var others = vector
        others[me] = 0
        let deps = others.dots(above: localContext)
        return Op(dot: Dot(replica: me, counter: vector[me] + 1), stamp: stamp, deps: deps, actor: actor, body: body)
    }

    /// Applies `encoded` now if its causal past is here, holds it otherwise, skips it if already
    /// applied. Its bytes go into the journal as they are.
    mutating func submit(_ encoded: EncodedOp) throws(ReplicaError) {
        let op: Op
        do {
            op = try encoded.decoded()
        } catch {
            throw ReplicaError(.invalidOp, "op \(encoded.dot) cannot be read: \(error)", underlying: error)
        }
        try submit(op, encoded: encoded)
    }

    /// ``submit(_:)`` of an op already decoded from (or encoded as) `encoded`: a local op, made
    /// here, is not read back from its own bytes.
    mutating func submit(_ op: Op, encoded: EncodedOp) throws(ReplicaError) {
        do {
            try op.validate()
        } catch {
            throw ReplicaError(.invalidOp, error.message)
        }
        if vector.covers(op.dot) {
            report.duplicates += 1
        } else if isReady(op) {
            try applyReady(op, payload: encoded.bytes)
            report.applied += 1
        } else {
            let payload = Data(encoded.bytes)
            try ReplicaError.wrap {
                try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO held_ops (replica, counter, payload) VALUES (?, ?, ?)")
                        .execute(arguments: [Int64(clamping: op.dot.replica.rawValue), Int64(clamping: op.dot.counter), payload])
            }
            if heldHere.insert(op.dot).inserted { report.held += 1 } else { report.duplicates += 1 }
        }
    }

    /// Applies every held op whose causal past is now complete, then saves the bookkeeping.
    /// Call once at the end of the transaction.
    mutating func finish() throws(ReplicaError) -> ApplyReport {
        if report.held > 0 || report.applied > 0 { try drainHeld() }
        try materializer.writePending()
        try ReplicaError.wrap {
            for replica in changedReplicas {
                try ClockTable.store(.vector, replica, counter: vector[replica], db)
            }
            for replica in changedContext {
                try ClockTable.store(.localContext, replica, counter: localContext[replica], db)
            }
            try ClockTable.storeClock(wall: clock.wall, logical: clock.logical, db)
        }
        return report
    }

    private func isReady(_ op: Op) -> Bool {
        vector[op.dot.replica] == op.dot.counter - 1 && op.deps.allSatisfy { vector.covers($0) }
    }

    private mutating func applyReady(_ op: Op, payload: [UInt8]) throws(ReplicaError) {
        try materializer.apply(op, journal: JournalEntry(db: db, op: op, payload: payload))
        if recordsAppended { appended.append(EncodedOp(stored: payload, dot: op.dot, privateOwner: op.privateOwner)) }
        vector.advance(op.dot)
        changedReplicas.insert(op.dot.replica)
        clock.observe(op.stamp)
        if op.dot.replica == identity.replica {
            for dep in op.deps where dep.counter > localContext[dep.replica] {
                localContext.advance(dep)
                changedContext.insert(dep.replica)
            }
        }
    }

    private mutating func drainHeld() throws(ReplicaError) {
        var progress = true
        while progress {
            progress = false
            let held = try ReplicaError.wrap {
                try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT replica, counter, payload FROM held_ops ORDER BY replica, counter"))
            }
            for row in held {
                let payload: Data = row[2]
                let op = try OpCodec.decode(payload)
                if vector.covers(op.dot) || isReady(op) {
                    if !vector.covers(op.dot) {
                        try applyReady(op, payload: [UInt8](payload))
                        report.applied += 1
                        if heldHere.contains(op.dot) { report.held -= 1 } else { report.releasedEarlier += 1 }
                        progress = true
                    }
                    try ReplicaError.wrap {
                        try db.cachedStatement(sql: "DELETE FROM held_ops WHERE replica = ? AND counter = ?")
                            .execute(arguments: [row[0] as Int64, row[1] as Int64])
                    }
                }
            }
        }
        if report.held > 0 {
            ReplicaLog.logger.notice("holding ops until their causal past arrives", metadata: ["held": "\(report.held)"])
        }
    }
}
