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
                let versions = try Materializer(db: db, viewer: viewer).loadDraft(user: viewer, key: key)
                var subject = versions.last?.subject
                var partner = versions.last?.partner
                if case .conversation(let id) = key {
                    guard let row = try Row.fetchOne(
                        db, sql: "SELECT subject, partner_id FROM conversations WHERE replica = ? AND counter = ?",
                        arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
                    else { throw ReplicaError(.unknownConversation, "no conversation \(id)") }
                    subject = row[0]
                    partner = PartnerID(rawValue: row[1])
                } else if versions.isEmpty {
                    throw ReplicaError(.noDraft, "there is no draft \(key)")
                }
                let register = DraftRegister(versions: versions)
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

    /// The three-way merge of two concurrent draft versions (rule 3), or `nil` when there are not
    /// exactly two or their edits overlap. The ancestor is the newest version both had superseded,
    /// read from the journal.
    static func mergedText(_ register: DraftRegister, _ db: Database) throws -> String? {
        guard register.versions.count == 2 else { return nil }
        var failure: (any Error)?
        let reading = register.reading { dots in
            do {
                var best: (stamp: HLCTimestamp, text: String)?
                for dot in dots {
                    guard let payload = try Data.fetchOne(
                        db, sql: "SELECT payload FROM journal WHERE replica = ? AND counter = ?",
                        arguments: [Int64(clamping: dot.replica.rawValue), Int64(clamping: dot.counter)])
                    else { continue }
                    let op = try OpCodec.decode(payload)
                    if case .saveDraft(let save) = op.body, best.map({ op.stamp > $0.stamp }) ?? true {
                        best = (op.stamp, save.text)
                    }
                }
                return best?.text
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        if case .merged(let text, _) = reading { return text }
        return nil
    }
}
