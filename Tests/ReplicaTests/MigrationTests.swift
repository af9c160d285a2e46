import Causality
import DemoHistory
import Foundation
import GRDB
import InboxModel
import OutpostTestSupport
@testable import Replica
import Testing
import Wire

/// The v1 fixture: `Fixtures/replica-v1.sqlite`, a 150-message demo replica (all three kinds of conversation) in the layout the first
/// schema ("v1-journal-and-state") wrote. See `Fixtures/README.md`.
enum V1Fixture {
    static let messages = 150
    static let now: UInt64 = 1_764_000_000_000
    /// The fixture's state digest, recorded when it was made. Stable across migrations: search
    /// tables are not part of the state.
    static let stateDigest = "be05260261931a8d3419f0c20c8397ac13c45c6bd17202c4ca07693411c06629"

    static var url: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "replica-v1", withExtension: "sqlite", subdirectory: "Fixtures"),
                         "Fixtures/replica-v1.sqlite is missing from the test bundle")
        }
    }

    /// Where a remade fixture goes in the source tree: beside the committed one, never over it.
    ///
    /// The committed `replica-v1.sqlite` is the only replica with a journal in the legacy JSON
    /// payload encoding (current code writes protobuf), so it is the only test of that reader: a
    /// file remade now has protobuf payloads and cannot replace it.
    static var remadeURL: URL { Repository.url("Tests/ReplicaTests/Fixtures/replica-v1-remade.sqlite") }

    /// Builds a fixture in the v1 layout: a demo replica made by current code, turned into what
    /// v1 wrote (no `conversations_fts`, no v2 row in `grdb_migrations`), vacuumed into one file
    /// with no WAL. Refuses to write over an existing file.
    static func make(at destination: URL) throws {
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw FixtureExists(path: destination.path)
        }
        let directory = try TemporaryDirectory()
        let path = directory.path("replica-v1.sqlite")
        do {
            _ = try Replica.buildDemo(at: path, options: DemoOptions(messages: messages, now: now),
                                      clock: FixedClock(milliseconds: now))
        }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: """
                DROP TABLE conversations_fts;
                DELETE FROM grdb_migrations WHERE identifier = 'v2-conversation-search';
                PRAGMA wal_checkpoint(TRUNCATE);
                PRAGMA journal_mode = DELETE;
                VACUUM;
                """)
        }
        try queue.close()
        try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: destination)
    }

    struct FixtureExists: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) exists: a fixture is never written over (Fixtures/README.md)" }
    }
}

@Suite("Migration from an older schema")
struct MigrationTests {
    /// Makes `Fixtures/replica-v1-remade.sqlite` (never the committed fixture):
    /// `OUTPOST_MAKE_FIXTURES=1 swift test --filter makeV1Fixture`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OUTPOST_MAKE_FIXTURES"] == "1"))
    func makeV1Fixture() throws {
        try V1Fixture.make(at: V1Fixture.remadeURL)
        let directory = try TemporaryDirectory()
        let replica = try Replica.open(at: copyOfFixture(from: V1Fixture.remadeURL, into: directory).path)
        print("replica-v1-remade.sqlite state digest: \(try replica.digest().state)")
    }

    @Test("the maker refuses to write over a fixture")
    func makerRefusesExisting() throws {
        let directory = try TemporaryDirectory()
        let existing = directory.url.appendingPathComponent("replica-v1.sqlite")
        try Data("committed".utf8).write(to: existing)
        #expect(throws: V1Fixture.FixtureExists.self) { try V1Fixture.make(at: existing) }
        #expect(try Data(contentsOf: existing) == Data("committed".utf8))
    }

    @Test("the fixture's journal is in the legacy JSON encoding; v6 rewrites every entry as protobuf and fills owners")
    func legacyJSONJournal() throws {
        let directory = try TemporaryDirectory()
        let copy = try copyOfFixture(from: V1Fixture.url, into: directory)
        let queue = try DatabaseQueue(path: copy.path)
        let (total, json) = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE substr(CAST(payload AS BLOB), 1, 1) = X'7B'") ?? 0)
        }
        try queue.close()
        #expect(total > 0)
        #expect(json == total, "every payload of the v1 fixture starts with `{`: the JSON reader is what reads it")
        let replica = try Replica.open(at: copy.path, clock: FixedClock(milliseconds: V1Fixture.now))
        let ops = try replica.journalOps()
        #expect(ops.count == total)
        #expect(try replica.verify().ok)
        let privateKinds = OpKind.allCases.filter(\.isPrivate).map { String($0.rawValue) }.joined(separator: ", ")
        let (stillJSON, owners, privateOps) = try replica.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE substr(CAST(payload AS BLOB), 1, 1) = X'7B'") ?? -1,
             try Row.fetchAll(db, sql: "SELECT replica, counter, owner FROM journal WHERE owner IS NOT NULL"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal WHERE kind IN (\(privateKinds))") ?? -1)
        }
        #expect(stillJSON == 0)
        #expect(privateOps > 0)
        #expect(owners.count == privateOps)
        let byDot = Dictionary(uniqueKeysWithValues: ops.map { ($0.dot, $0) })
        for row in owners {
            let dot = Dot(replica: ReplicaID(UInt64(row[0] as Int64)), counter: UInt64(row[1] as Int64))
            #expect(byDot[dot]?.privateOwner?.rawValue == row[2] as String)
        }
        // What sync sends is the stored bytes, and they decode to the journal's ops.
        let (encoded, _) = try replica.encodedOps(missingFrom: VersionVector(), limit: 100_000)
        #expect(try encoded.map { try $0.decoded() } == ops)
    }

    @Test("v7 moves the vector, the local context and the clock into one table, and the next op follows on")
    func clockTable() throws {
        let directory = try TemporaryDirectory()
        let copy = try copyOfFixture(from: V1Fixture.url, into: directory)
        let queue = try DatabaseQueue(path: copy.path)
        let (vector, context, wall, logical) = try queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT replica, counter FROM version_vector ORDER BY replica").map { [$0[0] as Int64, $0[1] as Int64] },
             try Row.fetchAll(db, sql: "SELECT replica, counter FROM local_context ORDER BY replica").map { [$0[0] as Int64, $0[1] as Int64] },
             try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc_wall'") ?? -1,
             try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc_logical'") ?? -1)
        }
        try queue.close()
        #expect(vector.count > 1)
        #expect(!context.isEmpty)
        #expect(wall > 0)
        // A physical clock far behind the stored one: the next stamp must still come after it.
        let replica = try Replica.open(at: copy.path, clock: FixedClock(milliseconds: 1))
        let (clockVector, clockContext, hybrid, oldTables, oldMeta) = try replica.writer.read { db in
            (try Row.fetchAll(db, sql: "SELECT replica, counter FROM clock WHERE kind = 0 ORDER BY replica").map { [$0[0] as Int64, $0[1] as Int64] },
             try Row.fetchAll(db, sql: "SELECT replica, counter FROM clock WHERE kind = 1 ORDER BY replica").map { [$0[0] as Int64, $0[1] as Int64] },
             try Row.fetchAll(db, sql: "SELECT replica, counter, logical FROM clock WHERE kind = 2").map { [$0[0] as Int64, $0[1] as Int64, $0[2] as Int64] },
             try db.tableExists("version_vector") || db.tableExists("local_context"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meta WHERE key LIKE 'hlc_%'") ?? -1)
        }
        #expect(clockVector == vector)
        #expect(clockContext == context)
        #expect(hybrid == [[0, wall, logical]])
        #expect(!oldTables)
        #expect(oldMeta == 0)
        let before = try replica.versionVector()
        let conversation = try #require(try replica.inbox(InboxFilter(limit: 100)).first { $0.kind != .system })
        let message = try replica.reply(to: conversation.id, text: "after the upgrade")
        let op = try #require(try replica.journalOps().first { $0.dot == message.dot })
        #expect(message.dot.counter == before[replica.identity.replica] + 1)
        #expect(op.stamp.wall > UInt64(wall) || (op.stamp.wall == UInt64(wall) && op.stamp.logical > UInt32(logical)))
        #expect(try replica.versionVector()[replica.identity.replica] == message.dot.counter)
        #expect(try replica.verify().ok)
    }

    @Test("v8 keeps messages in the journal: every thread, delivery state and body search as before")
    func messagesInTheJournal() throws {
        let directory = try TemporaryDirectory()
        let copy = try copyOfFixture(from: V1Fixture.url, into: directory)
        let queue = try DatabaseQueue(path: copy.path)
        // Before: each message's body and delivery state, by dot, as the v1 tables hold them.
        let before = try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.replica, m.counter, m.body, d.state FROM messages m LEFT JOIN deliveries d ON d.message = m.id
                """).map { row -> (Dot, String, String?) in
                (Dot(replica: ReplicaID(UInt64(row[0] as Int64)), counter: UInt64(row[1] as Int64)), row[2], row[3])
            }
        }
        try queue.close()
        #expect(before.count == V1Fixture.messages)
        #expect(before.contains { $0.2 != nil }, "the fixture has delivery states to carry over")

        let replica = try Replica.open(at: copy.path, clock: FixedClock(milliseconds: V1Fixture.now))
        var after: [Dot: (String, String?)] = [:]
        for row in try replica.inbox(InboxFilter(limit: 10_000)) {
            for message in try replica.thread(row.id, markRead: false).messages {
                after[message.id.dot] = (message.body, message.delivery?.rawValue)
            }
        }
        #expect(after.count == before.count)
        for (dot, body, state) in before {
            #expect(after[dot]?.0 == body, "\(dot)")
            #expect(after[dot]?.1 == state, "\(dot)")
        }
        // The search index, rebuilt from the view, finds a message by a word only its body holds.
        let (conversation, word) = try replica.writer.read { db -> (Int64, String) in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT m.conversation, m.body FROM messages m ORDER BY m.id DESC LIMIT 1
                """))
            let words = (row[1] as String).split { !$0.isLetter }.map(String.init).filter { $0.count > 5 }
            return (row[0], try #require(words.first))
        }
        let id = try replica.writer.read { db in
            try #require(try Row.fetchOne(db, sql: "SELECT replica, counter FROM conversations WHERE id = ?",
                                          arguments: [conversation]))
        }
        let expected = ConversationID(Dot(replica: ReplicaID(UInt64(id[0] as Int64)), counter: UInt64(id[1] as Int64)))
        #expect(try replica.search(word).map(\.id).contains(expected), "\(word)")
        let (views, tables) = try replica.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view'"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'"))
        }
        #expect(views == ["messages"])
        #expect(tables.isEmpty)
    }

    func copyOfFixture(from source: URL, into directory: TemporaryDirectory) throws -> URL {
        let copy = directory.url.appendingPathComponent("replica.sqlite")
        try FileManager.default.copyItem(at: source, to: copy)
        return copy
    }

    @Test("the fixture is in the v1 layout")
    func fixtureIsV1() throws {
        let directory = try TemporaryDirectory()
        let copy = try copyOfFixture(from: V1Fixture.url, into: directory)
        #expect(!FileManager.default.fileExists(atPath: try V1Fixture.url.path + "-wal"))
        let queue = try DatabaseQueue(path: copy.path)
        let (migrations, hasConversationSearch, hasMessageSearch, journalMode, messages) = try queue.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
             try db.tableExists("conversations_fts"), try db.tableExists("messages_fts"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages"))
        }
        try queue.close()
        #expect(migrations == ["v1-journal-and-state"])
        #expect(!hasConversationSearch)
        #expect(hasMessageSearch)
        #expect(journalMode == "delete")
        #expect(messages == V1Fixture.messages)
    }

    @Test("a v1 replica opens, upgrades to the latest schema, backfills, verifies and keeps its state")
    func upgrade() throws {
        let directory = try TemporaryDirectory()
        let copy = try copyOfFixture(from: V1Fixture.url, into: directory)
        let replica = try Replica.open(at: copy.path, clock: FixedClock(milliseconds: V1Fixture.now))
        #expect(try replica.appliedMigrations() == ReplicaSchema.migrator.migrations)
        #expect(try replica.appliedMigrations().last == ReplicaSchema.latest)
        #expect(replica.identity == DemoWorld.laptopIdentity)

        let info = try replica.info()
        #expect(info.messages == V1Fixture.messages)
        #expect(info.digest.state == V1Fixture.stateDigest)

        // v2 filled `conversations_fts` from the existing rows: one row per conversation.
        let indexed = try replica.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations_fts")
        }
        #expect(indexed == info.conversations)

        // v3 filled `last_message` (the newest message's row id) and each draft version's `supersedes`
        // (from its journaled op).
        let (stale, drafts) = try replica.writer.read { db in
            (try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM conversations c
                WHERE c.last_message != (SELECT MAX(id) FROM messages m WHERE m.conversation = c.id)
                """) ?? -1,
             try Row.fetchAll(db, sql: "SELECT replica, counter, supersedes FROM drafts"))
        }
        let journal = Dictionary(uniqueKeysWithValues: try replica.journalOps().map { ($0.dot, $0) })
        var draftsWithout = 0
        for row in drafts {
            let dot = Dot(replica: ReplicaID(UInt64(row[0] as Int64)), counter: UInt64(row[1] as Int64))
            let stored = try JSONDecoder().decode([Dot].self, from: Data((row[2] as String).utf8))
            guard case .saveDraft(let save)? = journal[dot]?.body, save.supersedes == stored else {
                draftsWithout += 1
                continue
            }
        }
        let draftsTotal = drafts.count
        #expect(stale == 0)
        #expect(draftsWithout == 0)
        #expect(draftsTotal > 0)

        // Every partner with conversations is found by name, through the partner-name column.
        let partners = try replica.partners().filter { $0.conversations > 0 }
        #expect(!partners.isEmpty)
        for summary in partners {
            let expected = try replica.inbox(InboxFilter(partner: summary.partner.id, limit: 10_000)).map(\.id)
            let found = try replica.search(summary.partner.name, filter: InboxFilter(partner: summary.partner.id,
                                                                                     limit: 10_000)).map(\.id)
            #expect(found == expected, "\(summary.partner.name)")
            let byColumn = try replica.writer.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM conversations_fts JOIN conversations c ON c.id = conversations_fts.rowid
                    WHERE conversations_fts MATCH ? AND c.partner_id = ?
                    """, arguments: [try SearchQuery(summary.partner.name, db).map { "partner_name : (\($0.expression))" },
                                     summary.partner.id.rawValue])
            }
            #expect(byColumn == summary.conversations, "\(summary.partner.name)")
        }
        // Forwarded customer text is searchable too.
        let inquiry = try #require(try replica.inbox(InboxFilter(kind: .inquiry, limit: 10_000)).first)
        let customer = try #require(try replica.thread(inquiry.id, markRead: false).inquiry)
        for text in [customer.customerName, customer.storefront, customer.product] {
            #expect(try replica.search(text, filter: InboxFilter(kind: .inquiry)).map(\.id).contains(inquiry.id), "\(text)")
        }

        let report = try replica.verify()
        #expect(report.ok)
        #expect(report.rebuilt.state == V1Fixture.stateDigest)

        // The upgraded replica works as usual, and opens again without migrating.
        let row = try #require(try replica.inbox().first)
        try replica.markRead(row.id)
        let reopened = try Replica.open(at: copy.path)
        #expect(try reopened.appliedMigrations() == ReplicaSchema.migrator.migrations)
        #expect(try reopened.row(row.id)?.unread == false)
    }
}
