import BenchSupport
import Foundation
import InboxModel
import Replica

/// The benchmark replica's helper, outside package-benchmark:
///
///     bench-fixture prepare              build the cached replica if missing; print its size
///     bench-fixture check                both sides return the same rows; EXPLAIN QUERY PLAN
///     bench-fixture loop METRIC SIDE [N] run one workload N times; p50/p99 by ContinuousClock
///                                        (for callgrind or a quick look; not the benchmark)
///     bench-fixture dump                 what the read workloads return, as text: diff it
///                                        before and after a change to the query code
///
/// Same environment as the benchmarks (`OUTPOST_BENCH_MESSAGES`, `OUTPOST_BENCH_SEED`,
/// `OUTPOST_BENCH_CACHE`).
let arguments = Array(CommandLine.arguments.dropFirst())
let config = BenchConfig.fromEnvironment()

func fail(_ message: String) -> Never {
    logToStandardError("bench-fixture: \(message)")
    exit(1)
}

func prepare() throws {
    let path = try ReplicaFixture.ensure(config)
    let db = try SQLiteConnection(path: path)
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let messages = try db.int("SELECT COUNT(*) FROM messages")
    let conversations = try db.int("SELECT COUNT(*) FROM conversations")
    let unread = try db.int("SELECT COUNT(*) FROM conversations WHERE unread = 1")
    print("replica: \(path)")
    print("  \(messages) messages, \(conversations) conversations (\(unread) unread), \(size / 1_048_576) MiB")
    // Outpost's own pages (the baseline's plain table left out), per message, beside the text.
    let baseline = PlainMessages.tables.map { "'\($0)'" }.joined(separator: ", ")
    let outpostBytes = try db.int("SELECT SUM(pgsize) FROM dbstat WHERE name NOT IN (\(baseline))")
    let textBytes = try db.int("SELECT SUM(length(CAST(body AS BLOB))) FROM plain_messages")
    print("  on disk: \(outpostBytes / max(messages, 1)) B per message, search included, "
          + "for \(textBytes / max(messages, 1)) B of text (\(String(format: "%.2f", Double(outpostBytes) / Double(max(textBytes, 1))))x; "
          + "target at most 2x: \(outpostBytes <= 2 * textBytes ? "pass" : "miss"))")
}

func check() throws {
    let path = try ReplicaFixture.ensure(config)
    let db = try SQLiteConnection(path: path)
    let replica = try Replica.open(at: path)
    var failures = 0
    func expect(_ condition: Bool, _ what: String) {
        print("  \(condition ? "ok  " : "FAIL") \(what)")
        if !condition { failures += 1 }
    }

    func ids(_ sql: String) throws -> [String] {
        try db.rows(sql).map { "\($0[1]).\($0[2])" }
    }
    func outpostIDs(_ rows: [InboxRow]) -> [String] {
        rows.map { "\($0.id.dot.replica.rawValue).\($0.id.dot.counter)" }
    }
    print("same rows on both sides:")
    let inbox = try replica.inbox(InboxFilter(limit: 50))
    expect(outpostIDs(inbox) == (try ids(OutpostSQL.inbox)), "inbox list: \(inbox.count) rows, same order")
    let unread = try replica.inbox(InboxFilter(unreadOnly: true, limit: 50))
    expect(outpostIDs(unread) == (try ids(OutpostSQL.unread)), "unread filter: \(unread.count) rows, same order")

    let choice = try Choice.typical(db)
    let thread = try replica.thread(choice.id, markRead: false)
    let threadRows = try db.rows(OutpostSQL.thread(PlainMessages.table), [.int(choice.rowID)])
    expect(thread.messages.map { "\($0.id.dot.replica.rawValue).\($0.id.dot.counter)" }
        == threadRows.map { "\($0[0]).\($0[1])" },
        "thread view of \(choice.id): \(thread.messages.count) messages, same order")

    let expression = OutpostSQL.matchExpression(Workloads.searchWord)
    let search = try replica.inbox(InboxFilter(search: Workloads.searchWord, limit: 50))
    let newest = try db.rows(OutpostSQL.search(PlainMessages.table), [.text(expression)])
    let outpostNewest = try db.rows(OutpostSQL.search(), [.text(expression)])
    expect(newest.map { $0[0] } == outpostNewest.map { $0[0] },
           "search '\(Workloads.searchWord)': the plain table's index finds the same newest 50 as Outpost's")
    let matching = try db.int("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH ?", [.text(expression)])
    expect(search.count == 50 && newest.count == 50,
           "search '\(Workloads.searchWord)': \(matching) matching messages; 50 rows on both sides")
    expect(search.allSatisfy { $0.snippet != nil }, "every search result carries a snippet of its match")

    print("\nquery plans (EXPLAIN QUERY PLAN):")
    let plans: [(String, String, [SQLiteValue])] = [
        ("inbox list", OutpostSQL.inbox, []),
        ("unread filter", OutpostSQL.unread, []),
        ("thread messages", OutpostSQL.thread(), [.int(choice.rowID)]),
        ("thread baseline", OutpostSQL.thread(PlainMessages.table), [.int(choice.rowID)]),
        ("search baseline", OutpostSQL.search(PlainMessages.table), [.text(expression)]),
        ("search: Outpost's conversation hits", """
            SELECT c.id, snippet(conversations_fts, -1, '[', ']', '…', 12)
            FROM conversations_fts JOIN conversations c ON c.id = conversations_fts.rowid
            JOIN partners p ON p.id = c.partner_id
            WHERE conversations_fts MATCH ?
            ORDER BY c.last_wall DESC, c.last_logical DESC, c.last_replica DESC LIMIT 50
            """, [.text(expression)]),
        ("search: Outpost's message hits", """
            SELECT m.conversation, snippet(messages_fts, 0, '[', ']', '…', 12)
            FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
            JOIN conversations c ON c.id = m.conversation JOIN partners p ON p.id = c.partner_id
            WHERE messages_fts MATCH ?
            ORDER BY messages_fts.rowid DESC
            """, [.text(expression)]),
    ]
    for (name, sql, arguments) in plans {
        print("  \(name):")
        for row in try db.rows("EXPLAIN QUERY PLAN " + sql, arguments) { print("    \(row[3])") }
    }
    if failures > 0 { fail("\(failures) check(s) failed") }
}

func loop(_ metricName: String, _ sideName: String, _ count: Int) throws {
    guard let metric = Metric(rawValue: metricName), let side = Side(rawValue: sideName) else {
        fail("usage: loop METRIC SIDE [N]; METRIC: \(Metric.allCases.map(\.rawValue)), SIDE: outpost, sqlite")
    }
    let workload = try Workloads.make(metric, side, config: config)
    print("\(metric.rawValue).\(side.rawValue): \(workload.detail)")
    var samples: [Duration] = []
    samples.reserveCapacity(count)
    var checksum = 0
    let clock = ContinuousClock()
    for _ in 0..<count {
        workload.prepareNext()
        let start = clock.now
        checksum &+= try workload.run()
        samples.append(clock.now - start)
    }
    samples.sort()
    func micro(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f µs", Double(seconds) * 1e6 + Double(attoseconds) / 1e12)
    }
    print("  \(count) runs: p50 \(micro(samples[samples.count / 2])), "
        + "p99 \(micro(samples[min(samples.count - 1, samples.count * 99 / 100)])) (checksum \(checksum))")
    if metric.writes { ReplicaFixture.removeDatabase(at: config.scratchPath("\(metric.rawValue)-\(side.rawValue)")) }
}

/// Everything the read workloads return, one fact a line, so that two builds can be diffed.
func dump() throws {
    let path = try ReplicaFixture.ensure(config)
    let db = try SQLiteConnection(path: path)
    let replica = try Replica.open(at: path)
    func show(_ title: String, _ rows: [InboxRow]) {
        print("\(title): \(rows.count) rows")
        for row in rows {
            print("  \(row.id) \(row.kind) \(row.partnerID) \(row.partnerStatus) unread=\(row.unread) "
                + "messages=\(row.messageCount) draft=\(row.hasDraft) at=\(row.lastActivity) by=\(row.lastAuthor) "
                + "| \(row.subject) | \(row.preview) | \(row.snippet ?? "-")")
        }
    }
    show("inbox", try replica.inbox(InboxFilter(limit: 50)))
    show("unread", try replica.inbox(InboxFilter(unreadOnly: true, limit: 50)))
    for word in [Workloads.searchWord, "warr", "camera shoot", "backpack"] {
        show("search \(word)", try replica.inbox(InboxFilter(search: word, limit: 50)))
        show("search \(word) page 2", try replica.inbox(InboxFilter(search: word, limit: 20, offset: 20)))
    }
    for choice in [try Choice.typical(db), try Choice.typical(db, writable: true)] {
        let thread = try replica.thread(choice.id, markRead: false)
        let panel = thread.partner
        print("thread \(thread.id) \(thread.kind) unread=\(thread.unread) | \(thread.subject) | partner "
            + "\(panel.partner.id) conversations=\(panel.conversations) messages=\(panel.messages) "
            + "unread=\(panel.unreadConversations) last=\(panel.lastActivity.map(String.init) ?? "-")")
        for message in thread.messages {
            print("  \(message.id) \(message.authorName) \(message.time) own=\(message.isOwn) "
                + "delivery=\(message.delivery.map { "\($0)" } ?? "-") | \(message.body)")
        }
    }
}

do {
    switch arguments.first ?? "prepare" {
    case "dump": try dump()
    case "prepare": try prepare()
    case "check": try check()
    case "loop" where arguments.count >= 3:
        try loop(arguments[1], arguments[2], arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000)
    default: fail("usage: bench-fixture prepare | check | dump | loop METRIC SIDE [N]")
    }
} catch {
    fail("\(error)")
}
