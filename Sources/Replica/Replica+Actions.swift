public import Causality
public import InboxModel
internal import GRDB
import Merge

/// What the viewer does on this device. Each action is one journaled op (or none, when it would
/// change nothing), made and applied in one transaction.
extension Replica {
    /// Starts a new conversation with `partner` (from the inbox, or from the partner's profile).
    @discardableResult
    public func compose(to partner: PartnerID, subject: String, text: String) throws(ReplicaError) -> ConversationID {
        let viewer = try requireViewer()
        try Self.checkText(text, what: "message")
        guard !subject.allSatisfy(\.isWhitespace) else { throw ReplicaError(.invalidArgument, "subject is empty") }
        try Self.checkSubject(subject)
        let result: (Op, Void)?
        do {
            result = try perform(actor: .user(viewer)) { db, _ in
                try Self.requirePartnerExists(partner, db)
                try Self.requireActive(partner, db)
                return (.startConversation(StartConversation(kind: .direct, partner: partner, subject: subject, body: text)), ())
            }
        } catch where error.code == .partnerLeft {
            // Refused up front, and nothing typed is lost.
            let key = try startComposeDraft(to: partner, subject: subject, text: text)
            throw ReplicaError(.partnerLeft, "\(error.message); the message is kept as draft \(key)")
        }
        guard let (op, _) = result else { throw ReplicaError(.storage, "compose made no op") }
        return ConversationID(op.dot)
    }

    /// Replies in a thread. Sends (and so supersedes) the draft versions of this thread that this
    /// device can see; a concurrent edit made elsewhere survives as a draft.
    @discardableResult
    public func reply(to conversation: ConversationID, text: String) throws(ReplicaError) -> MessageID {
        let viewer = try requireViewer()
        try Self.checkText(text, what: "message")
        let result: (Op, Void)?
        do {
            result = try perform(actor: .user(viewer)) { db, materializer in
                try Self.requireActive(try Self.requireWritable(conversation, by: viewer, db), db)
                let register = try materializer.loadRegister(user: viewer, key: .conversation(conversation))
                return (.postMessage(PostMessage(conversation: conversation, body: text, supersedes: register.visibleDots)), ())
            }
        } catch where error.code == .partnerLeft {
            // Refused up front, and nothing typed is lost.
            try saveDraft(conversation, text: text)
            throw ReplicaError(.partnerLeft, "\(error.message); the reply is kept as this thread's draft")
        }
        guard let (op, _) = result else { throw ReplicaError(.storage, "reply made no op") }
        return MessageID(op.dot)
    }

    /// Marks the thread read, all of it or up to a message (`extent`), and clears any *unread*
    /// mark this device has seen: what opening the thread means. A read up to a message leaves
    /// the messages after it in thread order unread. Returns `false` (and writes nothing) when
    /// that much was read already.
    @discardableResult
    public func markRead(_ conversation: ConversationID, _ extent: ReadExtent = .all) throws(ReplicaError) -> Bool {
        if case .first(let count) = extent, count < 1 {
            throw ReplicaError(.invalidArgument, "a read covers at least 1 message, not \(count)")
        }
        let viewer = try requireViewer()
        let result = try perform(actor: .user(viewer)) { db, materializer -> (OpBody, Void)? in
            guard let rowID = try materializer.conversationRowID(conversation) else {
                throw ReplicaError(.unknownConversation, "no conversation \(conversation)")
            }
            let state = try materializer.loadReadState(user: viewer, conversation: rowID)
            let all = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT replica, counter FROM messages WHERE conversation = ? ORDER BY wall, logical, replica
                    """), arguments: [rowID]).map { row in
                MessageID(Dot(replica: ReplicaID(UInt64(clamping: row[0] as Int64)), counter: UInt64(clamping: row[1] as Int64)))
            }
            let messages: ArraySlice<MessageID>
            switch extent {
            case .all: messages = all[...]
            case .first(let count): messages = all.prefix(count)
            case .through(let message):
                guard let index = all.firstIndex(of: message) else {
                    throw ReplicaError(.unknownMessage, "no message \(message) in conversation \(conversation)")
                }
                messages = all[...index]
            }
            guard let read = state.readingAll(of: messages, in: conversation) else { return nil }
            return (.markRead(read), ())
        }
        return result != nil
    }

    /// Marks the thread unread. Returns `false` when an *unread* mark of this user is already live.
    @discardableResult
    public func markUnread(_ conversation: ConversationID) throws(ReplicaError) -> Bool {
        let viewer = try requireViewer()
        let result = try perform(actor: .user(viewer)) { _, materializer -> (OpBody, Void)? in
            guard let rowID = try materializer.conversationRowID(conversation) else {
                throw ReplicaError(.unknownConversation, "no conversation \(conversation)")
            }
            return try materializer.loadReadState(user: viewer, conversation: rowID).markingUnread(conversation)
                .map { (.markUnread($0), ()) }
        }
        return result != nil
    }

    /// Saves the viewer's draft for a thread, replacing every version this device can see (so it
    /// also resolves a conflict). Saving the same text again writes nothing.
    public func saveDraft(_ conversation: ConversationID, text: String) throws(ReplicaError) {
        let viewer = try requireViewer()
        try Self.checkLength(text)
        _ = try perform(actor: .user(viewer)) { db, materializer -> (OpBody, Void)? in
            try Self.requireWritable(conversation, by: viewer, db)
            let register = try materializer.loadRegister(user: viewer, key: .conversation(conversation))
            if register.holdsOnly(text) { return nil }
            return (.saveDraft(SaveDraft(key: .conversation(conversation), text: text,
                                         supersedes: register.visibleDots)), ())
        }
    }

    /// Starts a draft for a new message to `partner`; returns its key (`new:…`).
    @discardableResult
    public func startComposeDraft(to partner: PartnerID?, subject: String?, text: String) throws(ReplicaError) -> DraftKey {
        let viewer = try requireViewer()
        try Self.checkLength(text)
        if let subject { try Self.checkSubject(subject) }
        // The key is the dot of the op that first saves the draft, known only inside the transaction.
        let result = try perform(actor: .user(viewer)) { db, _ -> (OpBody, DraftKey)? in
            if let partner { try Self.requirePartnerExists(partner, db) }
            let counter = try ClockTable.applied(identity.replica, db)
            let key = DraftKey.compose(Dot(replica: identity.replica, counter: counter + 1))
            return (.saveDraft(SaveDraft(key: key, text: text, partner: partner, subject: subject)), key)
        }
        guard let (_, key) = result else { throw ReplicaError(.storage, "the draft made no op") }
        return key
    }

    /// Saves a new version of a compose draft, keeping its partner and subject unless given.
    public func updateComposeDraft(_ key: DraftKey, text: String, partner: PartnerID? = nil,
                                   subject: String? = nil) throws(ReplicaError) {
        let viewer = try requireViewer()
        try Self.checkLength(text)
        _ = try perform(actor: .user(viewer)) { db, materializer -> (OpBody, Void)? in
            let register = try materializer.loadRegister(user: viewer, key: key)
            guard let newest = register.newest else { throw ReplicaError(.noDraft, "no draft \(key)") }
            if let partner { try Self.requirePartnerExists(partner, db) }
            return (.saveDraft(SaveDraft(key: key, text: text, partner: partner ?? newest.partner,
                                         subject: subject ?? newest.subject, supersedes: register.visibleDots)), ())
        }
    }

    /// Resolves a draft conflict by keeping one version's text: a save superseding all versions.
    public func pickDraftVersion(_ key: DraftKey, version: Dot) throws(ReplicaError) {
        let viewer = try requireViewer()
        _ = try perform(actor: .user(viewer)) { _, materializer -> (OpBody, Void)? in
            let register = try materializer.loadRegister(user: viewer, key: key)
            guard let chosen = register.version(version) else {
                throw ReplicaError(.noDraft, "draft \(key) has no version \(version)")
            }
            guard register.isConflict else { return nil }
            return (.saveDraft(SaveDraft(key: key, text: chosen.text, partner: chosen.partner, subject: chosen.subject,
                                         supersedes: register.visibleDots)), ())
        }
    }

    /// Throws away every version of the draft this device can see.
    public func discardDraft(_ key: DraftKey) throws(ReplicaError) {
        let viewer = try requireViewer()
        let result = try perform(actor: .user(viewer)) { _, materializer -> (OpBody, Void)? in
            let register = try materializer.loadRegister(user: viewer, key: key)
            guard !register.isEmpty else { return nil }
            return (.discardDraft(DiscardDraft(key: key, supersedes: register.visibleDots)), ())
        }
        if result == nil { throw ReplicaError(.noDraft, "there is no draft \(key)") }
    }

    /// Sends a draft: a reply for a thread's draft, a new conversation for a compose draft.
    /// A draft in conflict must be resolved first (`draft_conflict`).
    @discardableResult
    public func sendDraft(_ key: DraftKey) throws(ReplicaError) -> MessageID {
        let viewer = try requireViewer()
        let result = try perform(actor: .user(viewer)) { db, materializer -> (OpBody, Void)? in
            let register = try materializer.loadRegister(user: viewer, key: key)
            var version: DraftVersion
            switch try Self.reading(register, db) {
            case .empty: throw ReplicaError(.noDraft, "there is no draft \(key)")
            case .single(let only): version = only
            case .merged(let text, let from):
                version = from[0]
                version.text = text
            case .conflict(let versions):
                throw ReplicaError(.draftConflict,
                                   "draft \(key) has \(versions.count) conflicting versions; pick or write one first")
            }
            let seen = register.visibleDots
            try Self.checkText(version.text, what: "draft")
            switch key {
            case .conversation(let conversation):
                try Self.requireActive(try Self.requireWritable(conversation, by: viewer, db), db)
                return (.postMessage(PostMessage(conversation: conversation, body: version.text,
                                                 supersedes: seen)), ())
            case .compose:
                guard let partner = version.partner else {
                    throw ReplicaError(.invalidArgument, "draft \(key) has no partner yet; set one with --partner")
                }
                guard let subject = version.subject, !subject.allSatisfy(\.isWhitespace) else {
                    throw ReplicaError(.invalidArgument, "draft \(key) has no subject yet; set one with --subject")
                }
                try Self.requirePartnerExists(partner, db)
                try Self.requireActive(partner, db)
                return (.startConversation(StartConversation(kind: .direct, partner: partner, subject: subject,
                                                             body: version.text, draft: key,
                                                             supersedes: seen)), ())
            }
        }
        guard let (op, _) = result else { throw ReplicaError(.storage, "send made no op") }
        return MessageID(op.dot)
    }

    // MARK: Checks

    static func checkText(_ text: String, what: String) throws(ReplicaError) {
        guard !text.allSatisfy(\.isWhitespace) else { throw ReplicaError(.invalidArgument, "\(what) is empty") }
        try checkLength(text)
    }

    static func checkLength(_ text: String) throws(ReplicaError) {
        guard text.utf8.count <= OpLimits.maxBodyBytes else {
            throw ReplicaError(.invalidArgument, "text is longer than \(OpLimits.maxBodyBytes) bytes")
        }
        guard TextRules.isAllowedMultiLine(text) else {
            throw ReplicaError(.invalidArgument, "text contains the control character \(TextRules.firstControl(text) ?? "?")")
        }
    }

    /// A subject: at most ``OpLimits/maxSubjectBytes``, on one line, no control characters.
    static func checkSubject(_ subject: String) throws(ReplicaError) {
        guard subject.utf8.count <= OpLimits.maxSubjectBytes else {
            throw ReplicaError(.invalidArgument, "subject is longer than \(OpLimits.maxSubjectBytes) bytes")
        }
        guard TextRules.isAllowedSingleLine(subject) else {
            throw ReplicaError(.invalidArgument,
                               "subject contains the control character \(TextRules.firstControl(subject) ?? "?")")
        }
    }

    static func requirePartnerExists(_ partner: PartnerID, _ db: Database) throws {
        guard try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM partners WHERE id = ?"), arguments: [partner.rawValue]) != nil else {
            throw ReplicaError(.unknownPartner, "no partner \(partner)")
        }
    }

    /// Nothing goes to a partner this replica knows has left the platform (its status is `ended`):
    /// it could never be delivered. A replica that does not know yet sends it, and the server
    /// fails its delivery (Protocol/SERVER_API.md, "Reply delivery").
    static func requireActive(_ partner: PartnerID, _ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT name, status FROM partners WHERE id = ?"),
                                         arguments: [partner.rawValue]),
              row[1] as String == PartnershipStatus.ended.rawValue else { return }
        throw ReplicaError(.partnerLeft, "\(row[0] as String) has left the platform; nothing sent to them can be delivered")
    }

    /// The viewer may post in `conversation` (``WritePermission``): it exists and is not a system
    /// notification. Returns the conversation's partner.
    @discardableResult
    static func requireWritable(_ conversation: ConversationID, by viewer: UserID, _ db: Database) throws -> PartnerID {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT kind, partner_id FROM conversations WHERE replica = ? AND counter = ?"),
            arguments: [Int64(clamping: conversation.dot.replica.rawValue), Int64(clamping: conversation.dot.counter)])
        else { throw ReplicaError(.unknownConversation, "no conversation \(conversation)") }
        guard let kind = ConversationKind(rawValue: row[0]), let partner = PartnerID(rawValue: row[1])
        else { throw ReplicaError(.corrupt, "conversation \(conversation) cannot be read back") }
        guard WritePermission.post(in: kind, with: partner, by: .user(viewer)) == nil else {
            throw ReplicaError(.readOnlyConversation, "\(conversation) is a system notification; it cannot be answered")
        }
        return partner
    }
}
