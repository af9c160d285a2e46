import Causality
import DemoHistory
import Foundation
import GRDB
import InboxModel
@testable import Replica
import Testing

@Suite("Replica files: open, create, refuse, lock, verify")
struct StorageTests {
    @Test("a replica written to disk opens again with the same identity and state")
    func reopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nested/dir/replica.sqlite")
        var digest: StateDigest
        do {
            let replica = try Replica.create(at: path, identity: World.identity(), clock: World.deviceClock)
            try replica.apply(Seed().ops)
            try replica.reply(to: Seed().invoice, text: "Persisted")
            digest = try replica.digest()
        }
        let reopened = try Replica.open(at: path, clock: World.deviceClock)
        #expect(reopened.identity == World.identity())
        #expect(reopened.path == path)
        #expect(try reopened.digest() == digest)
        #expect(try reopened.appliedMigrations() == ["v1-journal-and-state", "v2-conversation-search",
                                                     "v3-search-order-and-draft-ancestry", "v4-partial-unread-index",
                                                     "v5-external-ids", "v6-journal-payloads", "v7-one-clock-table",
                                                     "v8-messages-in-the-journal"])
        // The clock and counters carry on where they were.
        let next = try reopened.reply(to: Seed().invoice, text: "After reopening")
        #expect(next.dot == Dot(replica: World.laptop, counter: 2))
        let info = try reopened.info()
        #expect(info.fileBytes ?? 0 > 0)
        #expect(info.journalOps == Seed().ops.count + 2)
        #expect(info.conversations == 4 && info.messages == 7 && info.partners == 4)
        digest = try reopened.digest()
        #expect(info.digest == digest)
    }

    @Test("opening a missing path: not found")
    func missing() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: ReplicaError.self) { try Replica.open(at: directory.path("none.sqlite")) }
        #expect(error?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: directory.path("none.sqlite")), "nothing was created")
    }

    @Test("opening a file that is not SQLite, or SQLite that is not a replica: not a replica",
          arguments: ["text", "sqlite", "empty-sqlite"])
    func notAReplica(content: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("file.sqlite")
        switch content {
        case "text":
            try Data(String(repeating: "This is a shopping list, not a database.\n", count: 200).utf8)
                .write(to: URL(fileURLWithPath: path))
        case "sqlite":
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)") }
            try queue.close()
        default:
            let queue = try DatabaseQueue(path: path)
            try queue.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: ReplicaError.self) { try Replica.open(at: path) }
        #expect(error?.code == .notAReplica, "\(error?.message ?? "")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file was changed")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("creating over an existing replica is refused and leaves it alone")
    func alreadyExists() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("replica.sqlite")
        let digest: StateDigest
        do {
            let replica = try Replica.create(at: path, identity: World.identity(), clock: World.deviceClock)
            try replica.apply(Seed().ops)
            digest = try replica.digest()
        }
        let error = #expect(throws: ReplicaError.self) {
            try Replica.create(at: path, identity: World.identity(World.tablet), clock: World.deviceClock)
        }
        #expect(error?.code == .alreadyExists)
        let reopened = try Replica.open(at: path)
        #expect(try reopened.digest() == digest)
        #expect(reopened.identity.replica == World.laptop)
    }

    @Test("a replica written by a newer Outpost is refused")
    func schemaTooNew() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("replica.sqlite")
        do {
            let replica = try Replica.create(at: path, identity: World.identity(), clock: World.deviceClock)
            try replica.apply(Seed().ops)
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v3-from-the-future')")
        }
        try queue.close()
        let error = #expect(throws: ReplicaError.self) { try Replica.open(at: path) }
        #expect(error?.code == .schemaTooNew)
    }

    @Test("a write while another process holds the lock fails with `locked` and changes nothing")
    func locked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("replica.sqlite")
        let (replica, seed) = (try Replica.create(at: path, identity: World.identity(), clock: World.deviceClock), Seed())
        try replica.apply(seed.ops)
        let digest = try replica.digest()

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true   // the transaction stays open between accesses
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        // One wait for the 3 s busy timeout.
        let error = #expect(throws: ReplicaError.self) { try replica.reply(to: seed.invoice, text: "Blocked") }
        #expect(error?.code == .locked)
        // Reads still work while the writer waits.
        #expect(try replica.inbox().count == 4)
        try other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try other.close()

        #expect(try replica.digest() == digest)
        #expect(try replica.info().journalOps == seed.ops.count)
        try replica.reply(to: seed.invoice, text: "Unblocked")
        #expect(try replica.row(seed.invoice)?.preview == "Unblocked")
    }
}

@Suite("Verify and rebuild")
struct VerifyTests {
    static let now: UInt64 = 1_764_000_000_000

    @Test("the demo replica verifies, and rebuilding from its journal gives the same digest",
          arguments: StoreKind.allCases)
    func demo(kind: StoreKind) throws {
        let directory = try TemporaryDirectory()
        let options = DemoOptions(messages: 500, now: Self.now)
        let replica = try Replica.buildDemo(at: kind == .disk ? directory.path("demo.sqlite") : nil, options: options,
                                            clock: FixedClock(milliseconds: Self.now))
        let info = try replica.info()
        #expect(info.messages == 500)
        #expect(info.conversations > 20 && info.partners >= 20)
        #expect(info.heldOps == 0)
        #expect(info.unreadConversations > 0 && info.drafts > 0)
        let kinds = Set(try replica.inbox(InboxFilter(limit: 10_000)).map(\.kind))
        #expect(kinds == Set(ConversationKind.allCases))
        let statuses = Set(try replica.partners().map(\.partner.status))
        #expect(statuses == Set(PartnershipStatus.allCases))
        #expect(try replica.drafts().contains { $0.inConflict })

        var replayed = 0
        let report = try replica.verify { replayed = $0 }
        #expect(report.ok)
        #expect(report.integrity == "ok")
        #expect(report.stored == report.rebuilt)
        #expect(report.journalOps == info.journalOps)
        #expect(replayed == info.journalOps)

        // A fresh replica fed the journal in batches agrees, and the demo is deterministic.
        let rebuilt = try Replica.inMemory(identity: replica.identity, clock: FixedClock(milliseconds: Self.now))
        try replica.journal(batchSize: 333) { ops in try rebuilt.apply(ops) }
        #expect(try rebuilt.digest() == replica.digest())
        let again = try Replica.buildDemo(at: nil, options: options, clock: FixedClock(milliseconds: Self.now))
        #expect(try again.digest() == replica.digest())
    }

    @Test("verify notices state that does not match the journal")
    func tampered() throws {
        let (store, seed) = try seededStore(.disk)
        let replica = store.replica
        #expect(try replica.verify().ok)
        // A message's author (not search-indexed, so the file itself stays sound).
        try replica.writer.write { db in
            try db.execute(sql: "UPDATE journal SET author = 'partner:birch' WHERE replica = 1 AND counter = ?",
                           arguments: [Int64(seed.invoice.dot.counter)])
        }
        let report = try replica.verify()
        #expect(!report.ok)
        #expect(report.stored.state != report.rebuilt.state)
        #expect(report.integrity == "ok")
    }

    @Test("verify notices a search index that no longer matches its messages")
    func tamperedSearchIndex() throws {
        let (store, seed) = try seededStore(.disk)
        // The message's text changed in its op, behind the search index's back.
        var op = try #require(try store.replica.journalOps().first { $0.dot == seed.invoice.dot })
        guard case .startConversation(var start) = op.body else { Issue.record("the invoice is no conversation"); return }
        start.body = "Tampered"
        op.body = .startConversation(start)
        let payload = try OpCodec.encode(op)
        try store.replica.writer.write { db in
            try db.execute(sql: "UPDATE journal SET payload = ? WHERE replica = 1 AND counter = ?",
                           arguments: [payload, Int64(seed.invoice.dot.counter)])
        }
        let report = try store.replica.verify()
        #expect(!report.ok)
        #expect(report.integrity.contains("messages_fts"), "\(report.integrity)")
    }

    @Test("verify notices a summary that does not match")
    func tamperedSummary() throws {
        let (store, seed) = try seededStore(.memory)
        try store.replica.writer.write { db in
            try db.execute(sql: "UPDATE conversations SET unread = 0 WHERE counter = ?",
                           arguments: [Int64(seed.proposal.dot.counter)])
        }
        let report = try store.replica.verify()
        #expect(!report.ok)
        #expect(report.stored.state == report.rebuilt.state)
        #expect(report.stored.summary != report.rebuilt.summary)
    }
}
