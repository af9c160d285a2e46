import InboxModel
internal import Causality
internal import GRDB

extension Replica {
    /// The inbox list: conversations with newest activity first, filtered and searched as
    /// `filter` says, one page (`limit`, `offset`) at a time.
    public func inbox(_ filter: InboxFilter = InboxFilter()) throws(ReplicaError) -> [InboxRow] {
        guard filter.limit > 0, filter.limit <= 10_000, filter.offset >= 0 else {
            throw ReplicaError(.invalidArgument, "limit must be 1–10000 and offset 0 or more")
        }
        let viewer = identity.viewer
        if let search = filter.search, !search.allSatisfy(\.isWhitespace) {
            return try ReplicaError.wrap {
                try writer.read { db in
                    guard let query = try SearchQuery(search, db) else {
                        throw ReplicaError(.invalidArgument, "the search has no words to look for (or more than 32)")
                    }
                    return try Self.search(query, filter: filter, viewer: viewer, db)
                }
            }
        }
        return try ReplicaError.wrap {
            try writer.read { db in
                var (conditions, arguments) = Self.conditions(filter)
                let sql = """
                    \(Self.rowSelect) \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    ORDER BY c.last_wall DESC, c.last_logical DESC, c.last_replica DESC LIMIT ? OFFSET ?
                    """
                arguments += [filter.limit, filter.offset]
                let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
                return try Self.inboxRows(rows, snippets: [:], viewer: viewer, db)
            }
        }
    }

    /// Keyword search: the inbox rows whose subject, messages, partner name or forwarded customer
    /// text match, with a snippet, newest match first; same filters as ``inbox(_:)``.
    public func search(_ text: String, filter: InboxFilter = InboxFilter()) throws(ReplicaError) -> [InboxRow] {
        var filter = filter
        filter.search = text
        guard !text.allSatisfy(\.isWhitespace) else { throw ReplicaError(.invalidArgument, "the search is empty") }
        return try inbox(filter)
    }

    static let rowSelect = """
        SELECT c.id, c.replica, c.counter, c.kind, c.partner_id, p.name, p.status, c.subject, c.preview, c.last_wall,
               c.last_author, c.unread, c.message_count
        FROM conversations c JOIN partners p ON p.id = c.partner_id
        """

    static func conditions(_ filter: InboxFilter) -> ([String], StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if filter.unreadOnly { conditions.append("c.unread = 1") }
        if let partner = filter.partner {
            conditions.append("c.partner_id = ?")
            arguments += [partner.rawValue]
        }
        if let status = filter.status {
            conditions.append("p.status = ?")
            arguments += [status.rawValue]
        }
        if let kind = filter.kind {
            conditions.append("c.kind = ?")
            arguments += [kind.rawValue]
        }
        return (conditions, arguments)
    }

    static func inboxRows(_ rows: [Row], snippets: [Int64: String], viewer: UserID?, _ db: Database) throws -> [InboxRow] {
        var draftKeys: Set<String> = []
        if let viewer, !rows.isEmpty {
            draftKeys = Set(try String.fetchAll(
                db.cachedStatement(sql: "SELECT DISTINCT draft_key FROM drafts WHERE user_id = ?"),
                arguments: [viewer.rawValue]))
        }
        return try rows.map { row in
            let id = ConversationID(Dot(replica: ReplicaID(UInt64(clamping: row[1] as Int64)), counter: UInt64(clamping: row[2] as Int64)))
            guard let kind = ConversationKind(rawValue: row[3]), let partnerID = PartnerID(rawValue: row[4]),
                  let status = PartnershipStatus(rawValue: row[6]), let author = Principal(text: row[10] as String)
            else { throw ReplicaError(.corrupt, "conversation \(id) cannot be read back") }
            return InboxRow(
                id: id, kind: kind, partnerID: partnerID, partnerName: row[5], partnerStatus: status, subject: row[7],
                preview: row[8], lastActivity: UInt64(clamping: row[9] as Int64), lastAuthor: author, unread: row[11],
                messageCount: row[12], hasDraft: draftKeys.contains(id.description), snippet: snippets[row[0]])
        }
    }

    /// Search. Results are ordered by their newest match, newest first: a matching message counts
    /// by its arrival on this replica (its row id), a conversation whose subject, partner name or
    /// customer text matches counts by its newest message. Two streams in that order — message hits
    /// from FTS5 in row id order, conversation hits sorted by their newest message — are merged,
    /// and the scan stops as soon as the page is full, so a page costs about what it shows. Pages
    /// (`offset`, `limit`) cut one fixed order: each conversation appears once.
    static func search(_ query: SearchQuery, filter: InboxFilter, viewer: UserID?, _ db: Database) throws -> [InboxRow] {
        let wanted = filter.offset + filter.limit
        let (conditions, filterArguments) = conditions(filter)
        let filterSQL = conditions.isEmpty ? "" : "AND " + conditions.joined(separator: " AND ")

        // Conversation hits without snippets: snippet() in this SELECT ran for every match (472 for
        // "warranty" at 1M messages) before the sort; the page's few are made below.
        let conversationHits = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.id, c.last_message
            FROM conversations_fts JOIN conversations c ON c.id = conversations_fts.rowid
            JOIN partners p ON p.id = c.partner_id
            WHERE conversations_fts MATCH ? \(filterSQL)
            ORDER BY c.last_message DESC LIMIT ?
            """), arguments: [query.expression] + filterArguments + [wanted])
        let messageHits = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT m.conversation, m.id, snippet(messages_fts, 0, '[', ']', '…', 12)
            FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
            JOIN conversations c ON c.id = m.conversation JOIN partners p ON p.id = c.partner_id
            WHERE messages_fts MATCH ? \(filterSQL)
            ORDER BY messages_fts.rowid DESC
            """), arguments: [query.expression] + filterArguments)

        var order: [Int64] = []
        var snippets: [Int64: String] = [:]
        var byConversationText: Set<Int64> = []
        var nextConversation = 0
        var pendingMessage = try messageHits.next()
        while order.count < wanted {
            let conversationHit = nextConversation < conversationHits.count ? conversationHits[nextConversation] : nil
            let hit: (conversation: Int64, snippet: String?)
            if let message = pendingMessage,
               conversationHit.map({ (message[1] as Int64) > ($0[1] as Int64) }) ?? true {
                hit = (message[0], message[2])
                pendingMessage = try messageHits.next()
            } else if let conversation = conversationHit {
                hit = (conversation[0], nil)
                nextConversation += 1
            } else {
                break
            }
            if snippets[hit.conversation] == nil, !byConversationText.contains(hit.conversation) {
                if let snippet = hit.snippet { snippets[hit.conversation] = snippet }
                else { byConversationText.insert(hit.conversation) }
                order.append(hit.conversation)
            }
        }
        let page = Array(order.dropFirst(filter.offset))
        guard !page.isEmpty else { return [] }
        let needSnippets = page.filter(byConversationText.contains)
        if !needSnippets.isEmpty {
            let snippetRows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT rowid, snippet(conversations_fts, -1, '[', ']', '…', 12) FROM conversations_fts
                WHERE conversations_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))
                """), arguments: [query.expression, jsonArray(needSnippets)])
            while let row = try snippetRows.next() { snippets[row[0]] = row[1] }
        }
        let rows = try Row.fetchAll(db.cachedStatement(sql: "\(rowSelect) WHERE c.id IN (SELECT value FROM json_each(?))"),
                                    arguments: [jsonArray(page)])
        var byID: [Int64: Row] = [:]
        for row in rows { byID[row[0]] = row }
        return try inboxRows(page.compactMap { byID[$0] }, snippets: snippets, viewer: viewer, db)
    }
}

/// Row ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one cached statement for
/// any number of ids.
private func jsonArray(_ ids: some Sequence<Int64>) -> String {
    "[" + ids.map(String.init).joined(separator: ",") + "]"
}

/// A user's search text made into a safe FTS5 query. The text is cut into tokens by the search
/// index's own tokenizer (``SearchQuery/tokenizer``), so that every term is one token exactly as
/// the index holds it (a word split here by other rules could be two tokens there, and then a
/// phrase); each is quoted (no FTS5 syntax gets through), all are required, and the last one also
/// matches as a prefix.
struct SearchQuery: Hashable, Sendable {
    /// The tokenizer of `messages_fts` and `conversations_fts`, as their `tokenize` option spells it.
    static let tokenizer = ["unicode61", "remove_diacritics", "2"]

    /// The MATCH expression, `"a" AND "b" AND "c"*`: made once, used by each of the search's
    /// statements.
    let expression: String

    /// `nil` when the text holds no token, or more than 32 (a search is a few words, not a page).
    init?(_ text: String, _ db: Database) throws {
        let tokenizer = try db.makeTokenizer(FTS5TokenizerDescriptor(components: Self.tokenizer))
        // Folded as the index folds them (lower case, no diacritics).
        let tokens = try tokenizer.tokenize(query: text).map(\.token).filter { !$0.isEmpty }
        guard !tokens.isEmpty, tokens.count <= 32 else { return nil }
        expression = tokens.enumerated().map { index, token in
            let quoted = "\"" + token.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return index == tokens.count - 1 ? quoted + "*" : quoted
        }.joined(separator: " AND ")
    }
}
