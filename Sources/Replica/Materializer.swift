import Causality
import Foundation
import GRDB
import InboxModel
import Merge

/// Turns one causally ready op into changes of the materialised tables. Every decision comes from
/// the `Merge` module (``LastWriterWins``, ``ReadState``, ``DraftRegister``, ``InboxSummary``,
/// ``WritePermission``); this type only loads the rows they need and stores what they decide.
struct Materializer {
    let db: Database
    let viewer: UserID?
    /// Search rows of this transaction, written by ``writePending()`` before it commits.
    private let search = PendingSearchRows()
    /// Inbox summaries this transaction changed, written by ``writePending()`` before it commits.
    private let summaries = PendingSummaries()
    /// Messages this transaction wrote, for a delivery state of the same batch.
    private let applied = AppliedMessages()

    init(db: Database, viewer: UserID?) {
        self.db = db
        self.viewer = viewer
    }

    /// Writes the inbox summaries and search rows of the ops applied so far; the applier calls it
    /// before committing.
    func writePending() throws(ReplicaError) {
        try ReplicaError.wrap {
            try summaries.write(db)
            try search.write(db)
        }
    }

    /// Applies `op`, writing its journal row through `journal` (once: a message op when its
    /// conversation is known, any other op first).
    func apply(_ op: Op, journal: JournalEntry) throws(ReplicaError) {
        try ReplicaError.wrap {
            switch op.body {
            case .startConversation, .postMessage: break
            default: _ = try journal.insert()
            }
            switch op.body {
            case .setBrand(let brand): try setBrand(brand, op)
            case .upsertUser(let user): try upsertUser(user, op)
            case .upsertPartner(let partner): try upsertPartner(partner, op)
            case .startConversation(let start): try startConversation(start, op, journal)
            case .postMessage(let post): try postMessage(post, op, journal)
            case .markRead(let read): try markRead(read, op)
            case .markUnread(let unread): try markUnread(unread, op)
            case .saveDraft(let save): try saveDraft(save, op)
            case .discardDraft(let discard): try discardDraft(discard.key, discard.supersedes, op)
            case .setDelivery(let delivery): try setDelivery(delivery, op)
            case .redacted: break
            }
        }
    }

    // MARK: Server-owned facts (last writer wins)

    private func currentStamp(_ table: String, keyColumn: String, key: any DatabaseValueConvertible) throws -> HLCTimestamp? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT wall, logical, stamp_replica FROM \(table) WHERE \(keyColumn) = ?"), arguments: [key])
        else { return nil }
        return Self.stamp(wall: row[0], logical: row[1], replica: row[2])
    }

    private func setBrand(_ brand: Brand, _ op: Op) throws {
        guard LastWriterWins.replaces(current: try currentStamp("brand", keyColumn: "id", key: brand.id.rawValue),
                                      incoming: op.stamp) else { return }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO brand (id, name, wall, logical, stamp_replica) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [brand.id.rawValue, brand.name] + Self.stampArguments(op.stamp))
    }

    private func upsertUser(_ user: User, _ op: Op) throws {
        guard LastWriterWins.replaces(current: try currentStamp("users", keyColumn: "id", key: user.id.rawValue),
                                      incoming: op.stamp) else { return }
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO users (id, name, email, wall, logical, stamp_replica) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [user.id.rawValue, user.name, user.email] + Self.stampArguments(op.stamp))
    }

    private func upsertPartner(_ partner: Partner, _ op: Op) throws {
        let current = try currentStamp("partners", keyColumn: "id", key: partner.id.rawValue)
        guard LastWriterWins.replaces(current: current, incoming: op.stamp) else { return }
        let oldName = try String.fetchOne(
            db.cachedStatement(sql: "SELECT name FROM partners WHERE id = ?"), arguments: [partner.id.rawValue])
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO partners (id, name, contact_email, status, status_since, wall, logical, stamp_replica)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [partner.id.rawValue, partner.name, partner.contactEmail, partner.status.rawValue,
                        Int64(clamping: partner.statusSince)] + Self.stampArguments(op.stamp))
        if let oldName, oldName != partner.name {
            try search.write(db)  // a conversation started in this transaction is renamed too
            try db.cachedStatement(sql: """
                UPDATE conversations_fts SET partner_name = ?
                WHERE rowid IN (SELECT id FROM conversations WHERE partner_id = ?)
                """).execute(arguments: [partner.name, partner.id.rawValue])
        }
    }

    private func setDelivery(_ delivery: SetDelivery, _ op: Op) throws {
        let message: Int64, current: HLCTimestamp?
        if let written = applied.lookup(delivery.message.dot) {
            (message, current) = written
        } else {
            guard let rowID = try messageRowID(delivery.message) else {
                throw ReplicaError(.invalidOp, "op \(op.dot): delivery state for unknown message \(delivery.message)")
            }
            (message, current) = (rowID, try currentStamp("deliveries", keyColumn: "message", key: rowID))
        }
        guard LastWriterWins.replaces(current: current, incoming: op.stamp) else { return }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO deliveries (message, state, reason, wall, logical, stamp_replica)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [message, delivery.state.rawValue, delivery.reason] + Self.stampArguments(op.stamp))
        applied.delivered(message, stamp: op.stamp)
    }

    // MARK: Conversations and messages (grow-only)

    private func startConversation(_ start: StartConversation, _ op: Op, _ journal: JournalEntry) throws {
        guard let partnerName = try String.fetchOne(
            db.cachedStatement(sql: "SELECT name FROM partners WHERE id = ?"), arguments: [start.partner.rawValue])
        else { throw ReplicaError(.invalidOp, "op \(op.dot): unknown partner \(start.partner)") }
        if let denial = WritePermission.start(start.kind, with: start.partner, by: op.actor) {
            throw ReplicaError(.invalidOp, "op \(op.dot): \(denial)")
        }
        let inquiryJSON = try start.inquiry.map { inquiry throws(ReplicaError) in try OpCodec.encodeJSON(inquiry) }
        let summary = InboxSummary(first: op.stamp, author: op.actor, body: start.body, viewer: viewer)
        try db.cachedStatement(sql: """
            INSERT INTO conversations (replica, counter, kind, partner_id, subject, started_by, inquiry,
                last_wall, last_logical, last_replica, last_author, preview, message_count, unread)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                Int64(clamping: op.dot.replica.rawValue), Int64(clamping: op.dot.counter), start.kind.rawValue, start.partner.rawValue,
                start.subject, op.actor.description, inquiryJSON,
            ] + Self.summaryArguments(summary))
        let conversation = db.lastInsertedRowID
        let customerText = start.inquiry.map {
            [$0.customerName, $0.storefront, $0.product, $0.text].joined(separator: " ")
        } ?? ""
        search.addConversation(conversation, subject: start.subject, partnerName: partnerName, customerText: customerText)
        let message = try insertMessage(journal, conversation: conversation, body: start.body)
        summaries.started(conversation, id: ConversationID(op.dot), kind: start.kind, partner: start.partner,
                          summary: summary, lastMessage: message)
        if let key = start.draft, let user = op.actor.user {
            try requireDraftKey(key, op, firstSave: false)
            try supersedeDraft(user: user, key: key, dots: start.supersedes)
        }
    }

    private func postMessage(_ post: PostMessage, _ op: Op, _ journal: JournalEntry) throws {
        guard let (conversation, entry) = try summaries.entry(post.conversation, db) else {
            throw ReplicaError(.invalidOp, "op \(op.dot): unknown conversation \(post.conversation)")
        }
        if let denial = WritePermission.post(in: entry.kind, with: entry.partner, by: op.actor) {
            throw ReplicaError(.invalidOp, "op \(op.dot): \(denial)")
        }
        let message = try insertMessage(journal, conversation: conversation, body: post.body)
        summaries.update(conversation) { entry in
            entry.summary.add(op.stamp, author: op.actor, body: post.body, viewer: viewer)
            entry.lastMessage = message
        }
        if let user = op.actor.user {
            try supersedeDraft(user: user, key: .conversation(post.conversation), dots: post.supersedes)
        }
    }

    /// Writes the message: its journal row, placed in `conversation`, and its search entry; returns
    /// its local id (the journal's `seq`).
    private func insertMessage(_ journal: JournalEntry, conversation: Int64, body: String) throws -> Int64 {
        let message = try journal.insert(conversation: conversation)
        search.addMessage(message, body: body)
        applied.inserted(journal.op.dot, rowID: message)
        return message
    }

    /// The summary columns `last_wall … unread`, in table order.
    private static func summaryArguments(_ summary: InboxSummary) -> StatementArguments {
        stampArguments(summary.newest)
            + [summary.newestAuthor.description, summary.preview, summary.messageCount, summary.unread]
    }

    // MARK: Read state

    private func markRead(_ read: MarkRead, _ op: Op) throws {
        guard let user = op.actor.user, let conversation = try conversationRowID(read.conversation) else {
            throw ReplicaError(.invalidOp, "op \(op.dot): unknown conversation \(read.conversation)")
        }
        var state = try loadReadState(user: user, conversation: conversation)
        state.apply(read)
        try storeReadState(state, user: user, conversation: conversation)
    }

    private func markUnread(_ unread: MarkUnread, _ op: Op) throws {
        guard let user = op.actor.user, let conversation = try conversationRowID(unread.conversation) else {
            throw ReplicaError(.invalidOp, "op \(op.dot): unknown conversation \(unread.conversation)")
        }
        var state = try loadReadState(user: user, conversation: conversation)
        state.applyUnread(mark: op.dot)
        try storeReadState(state, user: user, conversation: conversation)
    }

    func loadReadState(user: UserID, conversation: Int64) throws -> ReadState {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT marker, unread_marks FROM read_state WHERE user_id = ? AND conversation = ?"),
            arguments: [user.rawValue, conversation])
        else { return ReadState() }
        return ReadState(marker: try OpCodec.decodeJSON(VersionVector.self, row[0]),
                         unreadMarks: Set(try OpCodec.decodeJSON([Dot].self, row[1])))
    }

    private func storeReadState(_ state: ReadState, user: UserID, conversation: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO read_state (user_id, conversation, marker, unread_marks) VALUES (?, ?, ?, ?)
            """).execute(arguments: [user.rawValue, conversation, try OpCodec.encodeJSON(state.marker),
                             try OpCodec.encodeJSON(state.unreadMarks.sorted())])
        guard user == viewer else { return }
        let messages = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT replica, counter, author FROM messages WHERE conversation = ?"), arguments: [conversation]
        ).map { row in
            (id: MessageID(Dot(replica: ReplicaID(UInt64(clamping: row[0] as Int64)), counter: UInt64(clamping: row[1] as Int64))),
             author: Principal(text: row[2] as String) ?? .platform)
        }
        try summaries.setUnread(conversation, state.isUnread(messages: messages, viewer: user), db)
    }

    // MARK: Drafts (multi-value register)

    private func saveDraft(_ save: SaveDraft, _ op: Op) throws {
        guard let user = op.actor.user else { throw ReplicaError(.invalidOp, "op \(op.dot): drafts belong to users") }
        try requireDraftKey(save.key, op, firstSave: true)
        let old = try loadRegister(user: user, key: save.key)
        var register = old
        register.apply(save: save, dot: op.dot, stamp: op.stamp)
        try storeDraft(register, replacing: old, user: user, key: save.key)
    }

    private func discardDraft(_ key: DraftKey, _ dots: [Dot], _ op: Op) throws {
        guard let user = op.actor.user else { throw ReplicaError(.invalidOp, "op \(op.dot): drafts belong to users") }
        try requireDraftKey(key, op, firstSave: false)
        try supersedeDraft(user: user, key: key, dots: dots)
    }

    /// A discard or a send: the register forgets the versions it names.
    private func supersedeDraft(user: UserID, key: DraftKey, dots: [Dot]) throws {
        // Naming nothing forgets nothing (most messages were written without a draft).
        guard !dots.isEmpty else { return }
        let old = try loadRegister(user: user, key: key)
        var register = old
        register.supersede(dots)
        try storeDraft(register, replacing: old, user: user, key: key)
    }

    /// Writes what the register decided: deletes the versions it dropped, inserts the ones it added.
    private func storeDraft(_ register: DraftRegister, replacing old: DraftRegister, user: UserID, key: DraftKey) throws {
        let (removed, added) = register.changes(from: old)
        for version in removed {
            try db.cachedStatement(sql: """
                DELETE FROM drafts WHERE user_id = ? AND draft_key = ? AND replica = ? AND counter = ?
                """).execute(arguments: [user.rawValue, key.description, Int64(clamping: version.dot.replica.rawValue),
                                         Int64(clamping: version.dot.counter)])
        }
        for version in added {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO drafts (user_id, draft_key, replica, counter, wall, logical, text, partner_id,
                    subject, supersedes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    user.rawValue, key.description, Int64(clamping: version.dot.replica.rawValue),
                    Int64(clamping: version.dot.counter), Int64(clamping: version.stamp.wall),
                    Int64(clamping: version.stamp.logical), version.text, version.partner?.rawValue, version.subject,
                    try OpCodec.encodeJSON(version.supersedes),
                ])
        }
    }

    /// A draft key must name something real: a conversation this replica has, or a compose draft,
    /// which is named by the op that first saved it — this very op (`firstSave`), or an earlier
    /// `saveDraft` of the same user with that key. Anything else is a forged key (OPS.md).
    private func requireDraftKey(_ key: DraftKey, _ op: Op, firstSave: Bool) throws {
        switch key {
        case .conversation(let id):
            guard try conversationRowID(id) != nil else {
                throw ReplicaError(.invalidOp, "op \(op.dot): draft for unknown conversation \(id)")
            }
        case .compose(let dot):
            let started = firstSave && dot == op.dot ? nil : try Data.fetchOne(
                db.cachedStatement(sql: "SELECT payload FROM journal WHERE replica = ? AND counter = ?"),
                arguments: [Int64(clamping: dot.replica.rawValue), Int64(clamping: dot.counter)]
            ).flatMap { payload in try? OpCodec.decode(payload) }
            if let denial = WritePermission.composeDraft(key, by: op, firstSave: firstSave, started: started) {
                throw ReplicaError(.invalidOp, "op \(op.dot): compose draft \(key) \(denial)")
            }
        }
    }

    /// The user's draft register for `key`: its live versions.
    func loadRegister(user: UserID, key: DraftKey) throws -> DraftRegister {
        DraftRegister(versions: try loadDraft(user: user, key: key))
    }

    private func loadDraft(user: UserID, key: DraftKey) throws -> [DraftVersion] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT replica, counter, wall, logical, text, partner_id, subject, supersedes FROM drafts
            WHERE user_id = ? AND draft_key = ?
            """), arguments: [user.rawValue, key.description]).map { row in
            let replica = ReplicaID(UInt64(clamping: row[0] as Int64))
            return DraftVersion(
                dot: Dot(replica: replica, counter: UInt64(clamping: row[1] as Int64)),
                stamp: Self.stamp(wall: row[2], logical: row[3], replica: row[0]),
                text: row[4], partner: (row[5] as String?).flatMap { PartnerID(rawValue: $0) }, subject: row[6],
                supersedes: try OpCodec.decodeJSON([Dot].self, row[7]))
        }
    }

    // MARK: Helpers

    func conversationRowID(_ id: ConversationID) throws -> Int64? {
        try summaries.rowID(id, db)
    }

    func messageRowID(_ id: MessageID) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM messages WHERE replica = ? AND counter = ?"),
                           arguments: [Int64(clamping: id.dot.replica.rawValue), Int64(clamping: id.dot.counter)])
    }

    static func stamp(wall: Int64, logical: Int64, replica: Int64) -> HLCTimestamp {
        HLCTimestamp(wall: UInt64(clamping: wall), logical: UInt32(truncatingIfNeeded: logical), replica: ReplicaID(UInt64(clamping: replica)))
    }

    static func stampArguments(_ stamp: HLCTimestamp) -> StatementArguments {
        [Int64(clamping: stamp.wall), Int64(clamping: stamp.logical), Int64(clamping: stamp.replica.rawValue)]
    }
}
