public import InboxModel
internal import Causality
internal import GRDB
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
                        arguments: [Int64(id.dot.replica.rawValue), Int64(id.dot.counter)])
                    else { throw ReplicaError(.unknownConversation, "no conversation \(id)") }
                    subject = row[0]
                    partner = PartnerID(rawValue: row[1])
                } else if versions.isEmpty {
                    throw ReplicaError(.noDraft, "there is no draft \(key)")
                }
                return DraftView(key: key, subject: subject, partner: partner,
                                 versions: DraftRegister(versions: versions).versions.map(DraftVersionView.init))
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
}
