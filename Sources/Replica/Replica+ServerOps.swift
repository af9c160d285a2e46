public import Causality
internal import GRDB
import Foundation
import Wire
public import InboxModel

/// Names a request from outside the sync protocol that makes server ops — a platform event by its
/// id, a partner API call by its idempotency key — so that the same request delivered twice makes
/// its ops once (`external_ids`, Protocol/REPLICA_SCHEMA.md).
public struct ExternalID: Hashable, Sendable {
    /// Who sent it: `platform-event`, `partner:<id>`.
    public var source: String
    public var id: String

    public init(source: String, id: String) {
        self.source = source
        self.id = id
    }
}

extension ExternalID {
    /// The `sameRequest` rule of a platform event (``Replica/performServerOps(_:once:sameRequest:)``):
    /// a repeat is the same event when the last op the first delivery made, its notification, has
    /// this actor and body. A status change made before it is made only once, so it is not compared.
    public static func sameLastOp(actor: Principal, body: OpBody) -> @Sendable ([Op]) -> Bool {
        { made in made.last.map { $0.actor == actor && $0.body == body } ?? false }
    }
}

/// What ``Replica/performServerOps(_:once:)`` did.
public struct ServerOpsResult: Hashable, Sendable {
    /// The dots of the ops made, or of the ops the first delivery made.
    public var dots: [Dot]
    /// `true` when the external id was seen before and nothing new was made.
    public var duplicate: Bool
}

extension Replica {
    /// Server only: makes one op of this replica with actor `platform` (a brand fact such as
    /// `setBrand`, `upsertUser` or `upsertPartner`) and applies it, through the same path as local
    /// actions: the next dot of this replica, a fresh HLC stamp, and the op's usual checks.
    ///
    /// Fails with `invalid_argument` on a device replica (one with a viewer):
    /// only the server speaks for the platform.
    @discardableResult
    public func performServerOp(_ body: OpBody) throws(ReplicaError) -> Op {
        guard identity.viewer == nil else {
            throw ReplicaError(.invalidArgument, "only the server replica writes platform ops")
        }
        guard let (op, _) = try perform(actor: .platform, { _, _ in (body, ()) }) else {
            throw ReplicaError(.invalidArgument, "the op was not made")
        }
        return op
    }

    /// Server only: makes ops of this replica on behalf of their actors (the platform, or a
    /// partner writing through the partner API) and applies them in one transaction: all or none.
    ///
    /// With `once`, the ops are made only the first time: the id and the dots are recorded in the
    /// same transaction, and a later call with the same id makes nothing and returns the first
    /// call's dots with `duplicate: true` — if it is the same request: the ops the first call made
    /// have the same actors and bodies as `ops` (or, with `sameRequest`, that function says so of
    /// them). Otherwise nothing is made and the call fails with `idempotency_key_reused`.
    public func performServerOps(_ ops: [(actor: Principal, body: OpBody)],
                                 once external: ExternalID? = nil,
                                 sameRequest: (@Sendable ([Op]) -> Bool)? = nil) throws(ReplicaError) -> ServerOpsResult {
        guard identity.viewer == nil else {
            throw ReplicaError(.invalidArgument, "only the server replica writes server ops")
        }
        guard !ops.isEmpty else { throw ReplicaError(.invalidArgument, "no ops to make") }
        let identity = identity
        let physical = clock.nowMilliseconds()
        return try ReplicaError.wrap {
            try writer.write { db -> ServerOpsResult in
                try mirrored(db) { recordsAppended -> (ServerOpsResult, appended: [EncodedOp]) in
                    if let external, let dots = try String.fetchOne(db.cachedStatement(
                        sql: "SELECT dots FROM external_ids WHERE source = ? AND id = ?"),
                        arguments: [external.source, external.id]) {
                        let made = dots.split(separator: " ").compactMap { Dot(text: String($0)) }
                        // The same id must name the same request: compare what the first one made.
                        let first = try Self.madeOps(made, db: db)
                        let same = sameRequest.map { $0(first) }
                            ?? first.elementsEqual(ops, by: { $0.actor == $1.actor && $0.body == $1.body })
                        guard same else {
                            throw ReplicaError(.idempotencyConflict,
                                               "\(external.id) was already used for a different request from \(external.source)")
                        }
                        return (ServerOpsResult(dots: made, duplicate: true), [])
                    }
                    var applier = try OpApplier(db: db, identity: identity, recordsAppended: recordsAppended)
                    var dots: [Dot] = []
                    for (actor, body) in ops {
                        let op = applier.makeLocalOp(actor: actor, body: body, physical: physical)
                        try applier.submit(op, encoded: try OpCodec.encoded(op))
                        dots.append(op.dot)
                    }
                    _ = try applier.finish()
                    if let external {
                        try db.cachedStatement(sql: """
                            INSERT INTO external_ids (source, id, dots, received) VALUES (?, ?, ?, ?)
                            """).execute(arguments: [external.source, external.id,
                                                     dots.map(\.description).joined(separator: " "), Int64(clamping: physical)])
                    }
                    return (ServerOpsResult(dots: dots, duplicate: false), applier.appended)
                }
            }
        }
    }

    /// The journaled ops at `dots`, in that order.
    private static func madeOps(_ dots: [Dot], db: Database) throws -> [Op] {
        let statement = try db.cachedStatement(sql: "SELECT payload FROM journal WHERE replica = ? AND counter = ?")
        return try dots.map { dot in
            guard let payload = try Data.fetchOne(statement, arguments: [Int64(clamping: dot.replica.rawValue),
                                                                         Int64(clamping: dot.counter)]) else {
                throw ReplicaError(.corrupt, "the journal lacks op \(dot) of an external id")
            }
            return try OpCodec.decode(payload)
        }
    }
}
