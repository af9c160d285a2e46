import Foundation
import OutpostTestSupport
import Replica
import Testing

@Suite("outpost server with real device processes", .serialized, .timeLimit(.minutes(8)))
struct ServerProcessTests {
    static func digest(_ device: Outpost) async throws -> String { try await device.info().digest.state }

    @Test("two devices of one user, offline with their own changes, converge through the server")
    func twoDevicesConverge() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try await server.enroll("dana"), tablet = try await server.enroll("dana")
        defer { laptop.remove(); tablet.remove() }
        try await laptop.ok(["sync"])
        try await tablet.ok(["sync"])
        // Offline work on both devices.
        struct Started: Decodable { var conversation: String }
        let thread = try await laptop.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples",
                                                    "The samples ship Monday."]).conversation
        try await laptop.ok(["draft", thread, "laptop draft"])
        try await tablet.ok(["compose", "--partner", "p1-juniper", "--subject", "Invoice", "Invoice attached."])
        #expect(try await laptop.ok(["status", "--offline"]).contains("Waiting to go up:   2 changes"))
        for device in [laptop, tablet, laptop] { try await device.ok(["sync"]) }
        try await tablet.ok(["reply", thread, "From the tablet"])
        try await tablet.ok(["unread", thread])
        for device in [tablet, laptop] { try await device.ok(["sync"]) }
        #expect(try await Self.digest(laptop) == Self.digest(tablet))
        #expect(try await laptop.ok(["status", "--offline"]).contains("Waiting to go up:   0 changes"))
        let view = try await laptop.ok(["thread", thread, "--peek"])
        #expect(view.contains("From the tablet") && view.contains("The samples ship Monday."))
        #expect(view.contains("(you) · queued") && !view.contains("pending"), "the server has both replies: \(view)")
        // Nothing doubled: one conversation each, two messages in the thread.
        struct Row: Decodable { var id: String; var messageCount: Int; var unread: Bool }
        let rows = try await laptop.json([Row].self, ["inbox"])
        #expect(rows.count == 2)
        #expect(rows.first { $0.id == thread }?.messageCount == 2)
        #expect(rows.first { $0.id == thread }?.unread == true, "the tablet's unread reached the laptop")
    }

    @Test("one-shot HTTP sync: a device syncing over POST rounds converges with a WebSocket device")
    func httpSync() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try await server.enroll("dana"), phone = try await server.enroll("dana")
        defer { laptop.remove(); phone.remove() }
        try await laptop.ok(["sync"])
        struct Started: Decodable { var conversation: String }
        let thread = try await laptop.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples", "Hi"])
            .conversation
        try await laptop.ok(["sync"])
        struct Summary: Decodable { var received: Int; var sent: Int; var pending: Int }
        let first = try await phone.json(Summary.self, ["sync", "--http"])
        #expect(first.received > 0 && first.pending == 0)
        try await phone.ok(["reply", thread, "Sent over HTTP"])
        let second = try await phone.json(Summary.self, ["sync", "--http"])
        #expect(second.sent == 1 && second.pending == 0)
        try await laptop.ok(["sync"])
        #expect(try await laptop.ok(["thread", thread, "--peek"]).contains("Sent over HTTP"))
        #expect(try await Self.digest(laptop) == Self.digest(phone))
        let refused = try await phone.run(["sync", "--http", "--watch"])
        #expect(refused.status == 64, "--http is one round only")
    }

    @Test("another user's device sees messages but not Dana's drafts or read state")
    func otherUserScope() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let dana = try await server.enroll("dana"), sam = try await server.enroll("sam")
        defer { dana.remove(); sam.remove() }
        try await dana.ok(["sync"])
        struct Started: Decodable { var conversation: String }
        let thread = try await dana.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples", "Hi"])
            .conversation
        try await dana.ok(["draft", thread, "Dana's private draft"])
        try await dana.ok(["sync"])
        try await sam.ok(["sync"])
        #expect(try await sam.ok(["thread", thread, "--peek"]).contains("Hi"))
        #expect(try await sam.ok(["drafts"]).contains("No drafts."))
        #expect(try await sam.info().versionVector == dana.info().versionVector, "every dot, redacted or not")
    }

    @Test("kill -9 of the server loses nothing it acknowledged; a revoked device is refused")
    func killAndRevoke() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try await server.enroll("dana")
        defer { laptop.remove() }
        try await laptop.ok(["sync"])
        try await laptop.ok(["compose", "--partner", "juniper", "--subject", "Durable", "Acknowledged before the crash."])
        try await laptop.ok(["sync"])
        await server.kill9()
        try await server.start(options: ["--hold-mail"])
        let tablet = try await server.enroll("dana")
        defer { tablet.remove() }
        try await tablet.ok(["sync"])
        #expect(try await tablet.ok(["inbox"]).contains("Durable"))
        #expect(try await Self.digest(tablet) == Self.digest(laptop))

        struct Device: Decodable { var replica: String }
        let replica = try await laptop.info().identity.replica.description
        _ = try await server.adminRun(["revoke", "--brand", "northwind", replica])
        let before = try await laptop.info()
        let refused = try await laptop.run(["sync"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("unauthorized") || refused.stderr.contains("401"), "\(refused.stderr)")
        #expect(try await laptop.info().digest == before.digest)
    }
}

@Suite("What a sync says it moved", .serialized, .timeLimit(.minutes(5)))
struct SyncSummaryTests {
    struct Summary: Decodable { var received: Int; var sent: Int; var acknowledged: Int; var pending: Int }

    @Test("a sync after a server died between committing a push and acknowledging it says: sent 0, acknowledged 1")
    func acknowledgedIsNotSent() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try await server.enroll("dana")
        defer { laptop.remove() }
        try await laptop.ok(["sync"])
        struct Started: Decodable { var conversation: String }
        let thread = try await laptop.json(Started.self, ["compose", "--partner", "p1-juniper", "--subject", "Samples",
                                                          "--json", "Hi"]).conversation
        let first = try await laptop.json(Summary.self, ["sync"])
        #expect(first.sent == 1 && first.acknowledged == 1 && first.pending == 0, "\(first)")

        // The server commits the reply's batch, then dies before its acknowledgement goes out.
        await server.stopAndWait()
        try await server.start(environment: ["OUTPOST_FAILPOINT": "after-commit"])
        try await laptop.ok(["reply", thread, "See you Monday"])
        let cut = try await laptop.run(["sync"])
        #expect(cut.status != 0, "the server died before acknowledging: \(cut.stderr)")
        #expect(try await server.ended(within: .seconds(30)) != nil, "the armed server killed itself")
        try await server.start(environment: [:])

        // The server has the reply already: nothing goes up, and the reply stops waiting.
        let retry = try await laptop.json(Summary.self, ["sync"])
        #expect(retry.sent == 0 && retry.acknowledged == 1 && retry.pending == 0, "\(retry)")
        let text = try await laptop.ok(["sync"])
        #expect(text.contains("sent 0, 0 acknowledged; 0 waiting to go up."), "\(text)")
    }
}

@Suite("A first sync killed half-way resumes", .serialized, .timeLimit(.minutes(8)))
struct ResumableFirstSyncTests {
    @Test("kill -9 of a device mid-first-sync: the replica stays sound and the next sync continues, not from zero")
    func killMidFirstSync() async throws {
        let server = try ServerProcess()
        _ = try await server.adminRun(["demo", "--messages", "30000"])
        try await server.start(options: ["--hold-mail"])
        defer { server.stop() }
        let device = try await server.enroll("dana")
        defer { device.remove() }
        let serverVector = try Replica.open(at: server.brandReplicaPath).versionVector()
        let total = serverVector.entries.values.reduce(0) { $0 + Int($1) }

        let sync = try await device.start(["sync"])
        try await eventually("2,000 ops applied by the first sync") {
            (try? Replica.open(at: device.replicaPath).info().journalOps) ?? 0 >= 2_000 || !sync.isRunning
        }
        await sync.kill9()

        let interrupted = try await device.info().journalOps
        try #require(interrupted > 0 && interrupted < total, "the sync was not caught half-way (\(interrupted) of \(total))")
        try await device.ok(["replica", "verify"])
        let resumed = try await device.run(["sync"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("received \(total - interrupted) ops,"), "the second sync fetched only what was missing: \(resumed.stdout)")
        // Its progress is of the whole first sync, as `outpost status` shows it: it goes on from
        // where the kill left it ("received 2000 ops: 14000 of 30004 (46%)…"), not from 0%.
        let progress = resumed.stderr.split(separator: "\n").filter { $0.hasPrefix("received ") }
        let first = try #require(progress.first, "\(resumed.stderr)")
        let numbers = first.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        try #require(numbers.count == 4, "\(first)")
        #expect(numbers[2] == total && numbers[1] == interrupted + numbers[0] && numbers[3] == numbers[1] * 100 / total,
                "\(first): of the whole \(total), from \(interrupted)")
        #expect(try await device.info().versionVector == serverVector)
        try await device.ok(["replica", "verify"])
    }
}
