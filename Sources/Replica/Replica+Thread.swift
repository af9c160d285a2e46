public import InboxModel
import Causality
internal import GRDB
import Merge

extension Replica {
    /// The thread view. Opening a thread marks it read, as in any mail client; pass
    /// `markRead: false` to look without touching read state.
    public func thread(_ id: ConversationID, markRead: Bool = true) throws(ReplicaError) -> ThreadView {
        if markRead, identity.viewer != nil {
            try self.markRead(id)
        }
        let viewer = identity.viewer
        let me = identity.replica
        let acknowledged = try syncState().acknowledged
        return try ReplicaError.wrap {
            try writer.read { db in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT id, kind, subject, started_by, inquiry, partner_id, unread FROM conversations
                    WHERE replica = ? AND counter = ?
                    """), arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
                else { throw ReplicaError(.unknownConversation, "no conversation \(id)") }
                let rowID: Int64 = row[0]
                guard let kind = ConversationKind(rawValue: row[1]), let startedBy = Principal(text: row[3] as String),
                      let partnerID = PartnerID(rawValue: row[5])
                else { throw ReplicaError(.corrupt, "conversation \(id) cannot be read back") }
                let inquiry = try (row[4] as String?).map { text throws(ReplicaError) in
                    try OpCodec.decodeJSON(CustomerInquiry.self, text)
                }
                let materializer = Materializer(db: db, viewer: viewer)
                let readState = try viewer.map { try materializer.loadReadState(user: $0, conversation: rowID) }
                let names = try Self.authorNames(db)
                let messages = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT m.replica, m.counter, m.author, m.body, m.wall, m.logical, d.state, d.reason
                    FROM messages m LEFT JOIN deliveries d ON d.message = m.id
                    WHERE m.conversation = ? ORDER BY m.wall, m.logical, m.replica
                    """), arguments: [rowID]).map { message throws -> ThreadMessage in
                    let replica = ReplicaID(UInt64(clamping: message[0] as Int64))
                    let messageID = MessageID(Dot(replica: replica, counter: UInt64(clamping: message[1] as Int64)))
                    guard let author = Principal(text: message[2] as String) else {
                        throw ReplicaError(.corrupt, "message \(messageID) cannot be read back")
                    }
                    let stamp = HLCTimestamp(wall: UInt64(clamping: message[4] as Int64),
                                             logical: UInt32(truncatingIfNeeded: message[5] as Int64), replica: replica)
                    // Without a report from the server: `pending` while the message waits on this
                    // device to go up, `queued` once the server has it (acknowledged, or made elsewhere).
                    let delivery: DeliveryState? = author.user == nil
                        ? nil : (message[6] as String?).flatMap(DeliveryState.init(rawValue:))
                            ?? (replica == me && !acknowledged.covers(messageID.dot) ? .pending : .queued)
                    return ThreadMessage(
                        id: messageID, author: author, authorName: names.name(of: author), body: message[3],
                        time: stamp.wall, stamp: stamp, isOwn: viewer.map { author == .user($0) } ?? false,
                        delivery: delivery, deliveryReason: message[7],
                        unread: viewer.map { readState?.isUnread(message: messageID, author: author, viewer: $0) ?? false }
                            ?? false)
                }
                let draft = try viewer.map { try materializer.loadRegister(user: $0, key: .conversation(id)) }
                    ?? DraftRegister()
                return ThreadView(
                    id: id, kind: kind, subject: row[2], startedBy: startedBy, inquiry: inquiry, messages: messages,
                    partner: try Self.panel(partnerID, db), unread: row[6],
                    draft: draft.versions.map(DraftVersionView.init), draftMerged: try Self.mergedText(draft, db))
            }
        }
    }

    static func panel(_ partnerID: PartnerID, _ db: Database) throws -> PartnerPanel {
        // One pass over the partner's conversations through conversations_partner. (With four
        // subqueries, SQLite answered the unread count through conversations_unread, reading
        // every unread conversation of the replica: 2.4 ms of a 3.8 ms thread view at 1M messages.)
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT p.name, p.contact_email, p.status, p.status_since,
                   COUNT(c.id), COALESCE(SUM(c.message_count), 0), COALESCE(SUM(c.unread = 1), 0), MAX(c.last_wall)
            FROM partners p LEFT JOIN conversations c ON c.partner_id = p.id
            WHERE p.id = ? GROUP BY p.id
            """), arguments: [partnerID.rawValue])
        else { throw ReplicaError(.unknownPartner, "no partner \(partnerID)") }
        guard let status = PartnershipStatus(rawValue: row[2]) else {
            throw ReplicaError(.corrupt, "partner \(partnerID) cannot be read back")
        }
        let partner = Partner(id: partnerID, name: row[0], contactEmail: row[1], status: status,
                              statusSince: UInt64(clamping: row[3] as Int64))
        return PartnerPanel(partner: partner, conversations: row[4], messages: row[5], unreadConversations: row[6],
                            lastActivity: (row[7] as Int64?).map(UInt64.init))
    }

    /// Display names of everyone who can write: users, partners, and the platform (the brand's
    /// platform account).
    static func authorNames(_ db: Database) throws -> AuthorNames {
        var users: [String: String] = [:]
        let userRows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, name FROM users"))
        while let row = try userRows.next() { users[row[0]] = row[1] }
        var partners: [String: String] = [:]
        let partnerRows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, name FROM partners"))
        while let row = try partnerRows.next() { partners[row[0]] = row[1] }
        return AuthorNames(users: users, partners: partners)
    }
}

/// Resolves authors to the names people see.
struct AuthorNames {
    let users: [String: String]
    let partners: [String: String]

    func name(of principal: Principal) -> String {
        switch principal {
        case .user(let id): users[id.rawValue] ?? id.rawValue
        case .partner(let id): partners[id.rawValue] ?? id.rawValue
        case .platform: "Platform"
        }
    }
}

extension DraftVersionView {
    init(_ version: DraftVersion) {
        self.init(version: version.dot, text: version.text, partner: version.partner, subject: version.subject,
                  savedAt: version.stamp.wall, savedOn: version.dot.replica)
    }
}
