public import InboxModel
internal import Causality
internal import GRDB
import Foundation
import Merge

extension Replica {
    /// The viewer's draft for `key`, with every live version (more than one: a conflict).
    public func draft(_ key: DraftKey) throws(ReplicaError) -> DraftView {
        let viewer = try requireViewer()
        return try ReplicaError.wrap {
            try writer.read { db in
                let register = try Materializer(db: db, viewer: viewer).loadRegister(user: viewer, key: key)
                var subject = register.newest?.subject
                var partner = register.newest?.partner
                if case .conversation(let id) = key {
                    guard let row = try Row.fetchOne(
                        db, sql: "SELECT subject, partner_id FROM conversations WHERE replica = ? AND counter = ?",
                        arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
                    else { throw ReplicaError(.unknownConversation, "no conversation \(id)") }
                    subject = row[0]
                    partner = PartnerID(rawValue: row[1])
                } else if register.isEmpty {
                    throw ReplicaError(.noDraft, "there is no draft \(key)")
                }
                return DraftView(key: key, subject: subject, partner: partner,
                                 versions: register.versions.map(DraftVersionView.init),
                                 merged: try Self.mergedText(register, db))
            }
        }
    }

    /// Every draft of the viewer, newest first.
    public func drafts() throws(ReplicaError) -> [DraftView] {
        let viewer = try requireViewer()
        let keys = try ReplicaError.wrap {
            try writer.read { db in
                try String.fetchAll(db, sql: """
                    SELECT draft_key FROM drafts WHERE user_id = ? GROUP BY draft_key ORDER BY MAX(wall) DESC
                    """, arguments: [viewer.rawValue])
            }
        }
        var views: [DraftView] = []
        for text in keys {
            guard let key = DraftKey(text: text) else { throw ReplicaError(.corrupt, "bad draft key \(text)") }
            views.append(try draft(key))
        }
        return views
    }

    /// The merged text of the register (rule 3), or `nil` when it does not read as a merge.
    static func mergedText(_ register: DraftRegister, _ db: Database) throws -> String? {
        if case .merged(let text, _) = try reading(register, db) { return text }
        return nil
    }

    /// Reads the register (``DraftRegister/reading(ancestors:)``), with the saves its two live
    /// versions both superseded loaded from the journal.
    static func reading(_ register: DraftRegister, _ db: Database) throws -> DraftRegister.Reading {
        var ancestors: [DraftVersion] = []
        for dot in register.commonSuperseded {
            guard let payload = try Data.fetchOne(
                db, sql: "SELECT payload FROM journal WHERE replica = ? AND counter = ?",
                arguments: [Int64(clamping: dot.replica.rawValue), Int64(clamping: dot.counter)])
            else { continue }
            let op = try OpCodec.decode(payload)
            if case .saveDraft(let save) = op.body {
                ancestors.append(DraftVersion(dot: op.dot, stamp: op.stamp, text: save.text, partner: save.partner,
                                              subject: save.subject, supersedes: save.supersedes))
            }
        }
        return register.reading(ancestors: ancestors)
    }
}
