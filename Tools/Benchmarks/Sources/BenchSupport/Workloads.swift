import Causality
import DemoHistory
import Foundation
import InboxModel
import Replica

/// The five measured operations, each in two forms: through Outpost's `Replica` API, and as the
/// same SQL through the plain SQLite C API on the same file (the baseline).
///
/// A workload is set up once (files opened, statements prepared, ids chosen) and then run many
/// times; each run returns a checksum of what it read so that no work can be optimised away.
public enum Metric: String, CaseIterable, Sendable {
    case inbox, unread, thread, search, reply

    public var title: String {
        switch self {
        case .inbox: "inbox list (50)"
        case .unread: "unread filter (50)"
        case .thread: "thread view"
        case .search: "search newest-50"
        case .reply: "reply (1 op, 1 txn)"
        }
    }

    /// Writes change the replica: they run on a scratch copy.
    public var writes: Bool { self == .reply }
}

public enum Side: String, CaseIterable, Sendable {
    case outpost, sqlite
}

/// One prepared workload: `run()` does the measured work once.
public struct Workload: @unchecked Sendable {
    // @unchecked: a benchmark builds it in its setup and runs it from one thread only.
    public let metric: Metric
    public let side: Side
    /// Work done before each run and not measured (such as making the next reply's text).
    public let prepareNext: () -> Void
    public let run: () throws -> Int
    /// What was chosen (conversation, search expression…), for the report.
    public let detail: String
}

/// The SQL that Outpost runs, copied from Sources/Replica so that the baseline asks SQLite the
/// very same questions. `bench-fixture check` verifies that both sides return the same rows.
///
/// Outpost keeps a message's text in its journal row (schema v8: `messages` is a view that reads
/// it from the op's payload). The baseline keeps messages the plain way, in `plain_messages`
/// (a table with the body, the same indexes and an FTS5 index kept by a trigger), built into the
/// fixture from the same rows with the same ids: the thread, search and reply baselines use it.
public enum OutpostSQL {
    /// `Replica.rowSelect` and the inbox ORDER BY (Replica+Inbox.swift).
    public static let inbox = """
        SELECT c.id, c.replica, c.counter, c.kind, c.partner_id, p.name, p.status, c.subject, c.preview, c.last_wall,
               c.last_author, c.unread, c.message_count
        FROM conversations c JOIN partners p ON p.id = c.partner_id
        ORDER BY c.last_wall DESC, c.last_logical DESC, c.last_replica DESC LIMIT 50 OFFSET 0
        """
    public static let unread = """
        SELECT c.id, c.replica, c.counter, c.kind, c.partner_id, p.name, p.status, c.subject, c.preview, c.last_wall,
               c.last_author, c.unread, c.message_count
        FROM conversations c JOIN partners p ON p.id = c.partner_id WHERE c.unread = 1
        ORDER BY c.last_wall DESC, c.last_logical DESC, c.last_replica DESC LIMIT 50 OFFSET 0
        """
    /// The thread's messages with their delivery state (Replica+Thread.swift), from `messages`
    /// (Outpost's view of its journal) or from the baseline's plain table.
    public static func thread(_ table: String = "messages") -> String {
        """
        SELECT m.replica, m.counter, m.author, m.body, m.wall, m.logical, d.state, d.reason
        FROM \(table) m LEFT JOIN deliveries d ON d.message = m.id
        WHERE m.conversation = ? ORDER BY m.wall, m.logical, m.replica
        """
    }
    /// The newest 50 matching messages and their conversations.
    public static func search(_ table: String = "messages") -> String {
        """
        SELECT f.rowid, m.conversation, c.last_wall
        FROM (SELECT rowid FROM \(table)_fts WHERE \(table)_fts MATCH ? ORDER BY rowid DESC LIMIT 50) f
        JOIN \(table) m ON m.id = f.rowid JOIN conversations c ON c.id = m.conversation
        """
    }
    /// One row into the baseline's plain table of messages (its indexes and FTS trigger are those of
    /// Outpost's messages table before schema v8).
    public static let insertPlainMessage = """
        INSERT INTO plain_messages (replica, counter, conversation, author, body, wall, logical) VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    /// What `SearchQuery` makes of one word: quoted, and as a prefix since it is the last word.
    public static func matchExpression(_ word: String) -> String { "\"\(word.lowercased())\"*" }
}

/// The conversations the benchmarks use, chosen the same way for both sides.
public struct Choice: Sendable {
    public let rowID: Int64
    public let id: ConversationID
    public let messages: Int64
    public let kind: String

    /// The conversation with the median message count (a typical thread), optionally among
    /// those that can be answered.
    public static func typical(_ db: SQLiteConnection, writable: Bool = false) throws -> Choice {
        let filter = writable ? "WHERE kind <> 'system'" : ""
        let rows = try db.rows("""
            SELECT id, replica, counter, message_count, kind FROM conversations \(filter)
            ORDER BY message_count, id LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM conversations \(filter))
            """)
        guard let row = rows.first, let rowID = Int64(row[0]), let replica = UInt64(row[1]),
              let counter = UInt64(row[2]), let messages = Int64(row[3])
        else { throw BenchError("the replica has no conversation") }
        return Choice(rowID: rowID, id: ConversationID(Dot(replica: ReplicaID(replica), counter: counter)),
                      messages: messages, kind: row[4])
    }
}

public enum Workloads {
    /// A word the demo text uses (the brand's "lifetime warranty" line and the customers'
    /// warranty question).
    public static let searchWord = "warranty"

    /// A reply of about 340 bytes, like the demo's messages; `n` makes each one different.
    public static func replyText(_ n: Int) -> String {
        "Hi Juniper & Oak, thanks for the numbers, that is a strong month. I checked with our logistics team and "
            + "the replacement Ridge insulated jacket ships tomorrow. The commission stays at 12 percent for this "
            + "quarter, with a bonus above 50 orders. Could you mention the lifetime warranty in the caption as well? "
            + "Reference \(100_000 + n)."
    }

    public static func make(_ metric: Metric, _ side: Side, config: BenchConfig) throws -> Workload {
        let path = metric.writes
            ? try ReplicaFixture.scratchCopy(config, name: "\(metric.rawValue)-\(side.rawValue)")
            : try ReplicaFixture.ensure(config)
        let db = try SQLiteConnection(path: path)
        switch side {
        case .outpost: return try outpost(metric, path: path, db: db)
        case .sqlite: return try sqlite(metric, db: db)
        }
    }

    static func outpost(_ metric: Metric, path: String, db: SQLiteConnection) throws -> Workload {
        let replica = try Replica.open(at: path)
        let none: () -> Void = {}
        switch metric {
        case .inbox:
            return Workload(metric: metric, side: .outpost, prepareNext: none, run: {
                try replica.inbox(InboxFilter(limit: 50)).count
            }, detail: "InboxFilter(limit: 50)")
        case .unread:
            return Workload(metric: metric, side: .outpost, prepareNext: none, run: {
                try replica.inbox(InboxFilter(unreadOnly: true, limit: 50)).count
            }, detail: "InboxFilter(unreadOnly: true, limit: 50)")
        case .thread:
            let choice = try Choice.typical(db)
            return Workload(metric: metric, side: .outpost, prepareNext: none, run: {
                try replica.thread(choice.id, markRead: false).messages.count
            }, detail: "conversation \(choice.id) (\(choice.kind), \(choice.messages) messages)")
        case .search:
            return Workload(metric: metric, side: .outpost, prepareNext: none, run: {
                try replica.inbox(InboxFilter(search: searchWord, limit: 50)).count
            }, detail: "InboxFilter(search: \"\(searchWord)\", limit: 50)")
        case .reply:
            let choice = try Choice.typical(db, writable: true)
            let counter = Counter()
            return Workload(metric: metric, side: .outpost, prepareNext: { counter.next(replyText) }, run: {
                Int(truncatingIfNeeded: try replica.reply(to: choice.id, text: counter.text).dot.counter)
            }, detail: "reply(to: \(choice.id)) on a scratch copy")
        }
    }

    static func sqlite(_ metric: Metric, db: SQLiteConnection) throws -> Workload {
        let none: () -> Void = {}
        switch metric {
        case .inbox, .unread:
            let statement = try db.prepare(metric == .inbox ? OutpostSQL.inbox : OutpostSQL.unread)
            return Workload(metric: metric, side: .sqlite, prepareNext: none, run: {
                try statement.drain()
            }, detail: "same SELECT, prepared once")
        case .thread:
            let choice = try Choice.typical(db)
            let statement = try db.prepare(OutpostSQL.thread(PlainMessages.table))
            try statement.bind([.int(choice.rowID)])
            return Workload(metric: metric, side: .sqlite, prepareNext: none, run: {
                try statement.drain()
            }, detail: "plain_messages ⟕ deliveries of conversation \(choice.rowID)")
        case .search:
            let statement = try db.prepare(OutpostSQL.search(PlainMessages.table))
            let expression = OutpostSQL.matchExpression(searchWord)
            try statement.bind([.text(expression)])
            return Workload(metric: metric, side: .sqlite, prepareNext: none, run: {
                try statement.drain()
            }, detail: "plain_messages_fts MATCH '\(expression)' ORDER BY rowid DESC LIMIT 50 ⋈ plain_messages ⋈ conversations")
        case .reply:
            let choice = try Choice.typical(db, writable: true)
            let begin = try db.prepare("BEGIN")
            let commit = try db.prepare("COMMIT")
            let insert = try db.prepare(OutpostSQL.insertPlainMessage)
            // A replica id no demo device uses, so the UNIQUE (replica, counter) never collides.
            let baselineReplica: Int64 = 0xbe
            var next = try db.int("SELECT COALESCE(MAX(counter), 0) FROM plain_messages WHERE replica = ?",
                                  [.int(baselineReplica)])
            let author = Principal.user(DemoWorld.viewer.id).description
            let counter = Counter()
            return Workload(metric: metric, side: .sqlite, prepareNext: { counter.next(replyText) }, run: {
                next += 1
                let wall = Int64(Date().timeIntervalSince1970 * 1000)
                try begin.run()
                try insert.bind([.int(baselineReplica), .int(next), .int(choice.rowID), .text(author),
                                 .text(counter.text), .int(wall), .int(0)])
                try insert.run()
                try commit.run()
                return Int(truncatingIfNeeded: next)
            }, detail: "BEGIN; INSERT INTO plain_messages (FTS trigger); COMMIT on a scratch copy")
        }
    }
}

/// The next reply's text, made outside the measured region.
final class Counter: @unchecked Sendable {
    // @unchecked: used from the benchmark's one thread.
    private(set) var n = 0
    private(set) var text = ""

    func next(_ make: (Int) -> String) {
        n += 1
        text = make(n)
    }
}
