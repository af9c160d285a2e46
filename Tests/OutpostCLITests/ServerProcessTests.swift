import Foundation
import Replica
import Testing

@Suite("outpost server with real device processes", .serialized)
struct ServerProcessTests {
    static func digest(_ device: Outpost) throws -> String { try device.info().digest.state }

    @Test("two devices of one user, offline with their own changes, converge through the server")
    func twoDevicesConverge() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try server.enroll("dana"), tablet = try server.enroll("dana")
        defer { laptop.remove(); tablet.remove() }
        try laptop.ok(["sync"])
        try tablet.ok(["sync"])
        // Offline work on both devices.
        struct Started: Decodable { var conversation: String }
        let thread = try laptop.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples",
                                                    "The samples ship Monday."]).conversation
        try laptop.ok(["draft", thread, "laptop draft"])
        try tablet.ok(["compose", "--partner", "p1-juniper", "--subject", "Invoice", "Invoice attached."])
        #expect(try laptop.ok(["status", "--offline"]).contains("Waiting to go up:   2 changes"))
        for device in [laptop, tablet, laptop] { try device.ok(["sync"]) }
        try tablet.ok(["reply", thread, "From the tablet"])
        try tablet.ok(["unread", thread])
        for device in [tablet, laptop] { try device.ok(["sync"]) }
        #expect(try Self.digest(laptop) == Self.digest(tablet))
        #expect(try laptop.ok(["status", "--offline"]).contains("Waiting to go up:   0 changes"))
        let view = try laptop.ok(["thread", thread, "--peek"])
        #expect(view.contains("From the tablet") && view.contains("The samples ship Monday."))
        #expect(view.contains("(you) · queued") && !view.contains("pending"), "the server has both replies: \(view)")
        // Nothing doubled: one conversation each, two messages in the thread.
        struct Row: Decodable { var id: String; var messageCount: Int; var unread: Bool }
        let rows = try laptop.json([Row].self, ["inbox"])
        #expect(rows.count == 2)
        #expect(rows.first { $0.id == thread }?.messageCount == 2)
        #expect(rows.first { $0.id == thread }?.unread == true, "the tablet's unread reached the laptop")
    }

    @Test("one-shot HTTP sync: a device syncing over POST rounds converges with a WebSocket device")
    func httpSync() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try server.enroll("dana"), phone = try server.enroll("dana")
        defer { laptop.remove(); phone.remove() }
        try laptop.ok(["sync"])
        struct Started: Decodable { var conversation: String }
        let thread = try laptop.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples", "Hi"])
            .conversation
        try laptop.ok(["sync"])
        struct Summary: Decodable { var received: Int; var sent: Int; var pending: Int }
        let first = try phone.json(Summary.self, ["sync", "--http"])
        #expect(first.received > 0 && first.pending == 0)
        try phone.ok(["reply", thread, "Sent over HTTP"])
        let second = try phone.json(Summary.self, ["sync", "--http"])
        #expect(second.sent == 1 && second.pending == 0)
        try laptop.ok(["sync"])
        #expect(try laptop.ok(["thread", thread, "--peek"]).contains("Sent over HTTP"))
        #expect(try Self.digest(laptop) == Self.digest(phone))
        let refused = try phone.run(["sync", "--http", "--watch"])
        #expect(refused.status == 64, "--http is one round only")
    }

    @Test("another user's device sees messages but not Dana's drafts or read state")
    func otherUserScope() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let dana = try server.enroll("dana"), sam = try server.enroll("sam")
        defer { dana.remove(); sam.remove() }
        try dana.ok(["sync"])
        struct Started: Decodable { var conversation: String }
        let thread = try dana.json(Started.self, ["compose", "--partner", "juniper", "--subject", "Samples", "Hi"])
            .conversation
        try dana.ok(["draft", thread, "Dana's private draft"])
        try dana.ok(["sync"])
        try sam.ok(["sync"])
        #expect(try sam.ok(["thread", thread, "--peek"]).contains("Hi"))
        #expect(try sam.ok(["drafts"]).contains("No drafts."))
        #expect(try sam.info().versionVector == dana.info().versionVector, "every dot, redacted or not")
    }

    @Test("kill -9 of the server loses nothing it acknowledged; a revoked device is refused")
    func killAndRevoke() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let laptop = try server.enroll("dana")
        defer { laptop.remove() }
        try laptop.ok(["sync"])
        try laptop.ok(["compose", "--partner", "juniper", "--subject", "Durable", "Acknowledged before the crash."])
        try laptop.ok(["sync"])
        server.kill9()
        try await server.start(options: ["--hold-mail"])
        let tablet = try server.enroll("dana")
        defer { tablet.remove() }
        try tablet.ok(["sync"])
        #expect(try tablet.ok(["inbox"]).contains("Durable"))
        #expect(try Self.digest(tablet) == Self.digest(laptop))

        struct Device: Decodable { var replica: String }
        let replica = try laptop.info().identity.replica.description
        _ = try server.adminRun(["revoke", "--brand", "northwind", replica])
        let before = try laptop.info()
        let refused = try laptop.run(["sync"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("unauthorized") || refused.stderr.contains("401"), "\(refused.stderr)")
        #expect(try laptop.info().digest == before.digest)
    }
}

@Suite("A first sync killed half-way resumes", .serialized)
struct ResumableFirstSyncTests {
    @Test("kill -9 of a device mid-first-sync: the replica stays sound and the next sync continues, not from zero")
    func killMidFirstSync() async throws {
        let server = try ServerProcess()
        _ = try await server.adminRunPolling(["demo", "--messages", "30000"])
        try await server.start(options: ["--hold-mail"])
        defer { server.stop() }
        let device = try server.enroll("dana")
        defer { device.remove() }
        let serverVector = try Replica.open(at: server.brandReplicaPath).versionVector()
        let total = serverVector.entries.values.reduce(0) { $0 + Int($1) }

        let sync = try device.start(["sync"])
        var applied = 0
        for _ in 0..<1_000 where applied < 2_000 {
            try await Task.sleep(for: .milliseconds(10))
            applied = (try? Replica.open(at: device.replicaPath).info().journalOps) ?? 0
        }
        sync.kill9()

        let interrupted = try device.info().journalOps
        try #require(interrupted > 0 && interrupted < total, "the sync was not caught half-way (\(interrupted) of \(total))")
        try await device.okPolling(["replica", "verify"])
        struct Summary: Decodable { var received: Int }
        let resumed = try await device.jsonPolling(Summary.self, ["sync"])
        #expect(resumed.received == total - interrupted, "the second sync fetched only what was missing")
        #expect(try device.info().versionVector == serverVector)
        try await device.okPolling(["replica", "verify"])
    }
}
