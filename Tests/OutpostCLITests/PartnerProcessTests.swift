import Foundation
import Testing

/// The partner API and platform events (Protocol/SERVER_API.md, "Partner API" and "Platform
/// events") through real processes: `outpost partner-api` and `outpost admin event` against a real
/// `outpost server`, and a device that was offline the whole time.
@Suite("Partners and platform events reach an offline device", .serialized, .timeLimit(.minutes(5)))
struct PartnerProcessTests {
    @Test("a partner's message, a forwarded inquiry and a platform event appear on a device after it reconnects")
    func offlineDeviceCatchesUp() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let device = try await server.enroll("dana")
        defer { device.remove() }
        try await device.ok(["sync"])
        // From here the device is offline: it does not sync until the end.
        let token = try await server.adminRun(["partner", "token", "--brand", "northwind", "p1-juniper"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let api = ["--server", server.url, "--token", token]
        func partner(_ arguments: [String]) async throws -> String {
            let result = try await server.admin.run(["partner-api"] + arguments, replica: false)
            #expect(result.status == 0, "partner-api \(arguments): \(result.stderr)")
            return result.stdout
        }
        _ = try await partner(["start"] + api + ["--subject", "New samples", "Our autumn samples are ready."])
        _ = try await partner(["forward"] + api + ["--customer-name", "Ann Lee", "--customer-email", "ann@example.com",
                                             "--storefront", "Juniper Shop", "--product", "Oak table",
                                             "--message", "Does it come in walnut?", "--asked-at",
                                             "2026-11-20T10:00:00Z", "Ann asks about walnut."])
        for _ in 0..<2 {
            _ = try await server.adminRun(["event", "--brand", "northwind", "--id", "order-1001", "--type", "order",
                                     "--partner", "p1-juniper", "Order #1001: 3 Oak tables"])
        }
        #expect(try await device.ok(["inbox"]).contains("No conversations match."), "offline: nothing arrived yet")

        try await device.ok(["sync"])
        struct Row: Decodable { var id: String; var kind: String; var subject: String; var unread: Bool }
        let rows = try await device.json([Row].self, ["inbox"])
        #expect(rows.map(\.kind).sorted() == ["direct", "inquiry", "system"], "the event delivered twice made one thread")
        #expect(rows.allSatisfy { $0.unread })
        let inquiry = try #require(rows.first { $0.kind == "inquiry" })
        #expect(inquiry.subject == "Customer Inquiry")
        let view = try await device.ok(["thread", inquiry.id])
        #expect(view.contains("Ann Lee") && view.contains("Does it come in walnut?") && view.contains("Ann asks about walnut."))
        let system = try #require(rows.first { $0.kind == "system" })
        let refused = try await device.run(["reply", system.id, "Thanks"])
        #expect(refused.status != 0, "a notification is read-only")

        // The partner sees the brand's reply, and nothing of the system thread.
        let direct = try #require(rows.first { $0.kind == "direct" })
        try await device.ok(["reply", direct.id, "Lovely, please send two."])
        try await device.ok(["sync"])
        let thread = try await partner(["thread"] + api + [direct.id])
        #expect(thread.contains("Lovely, please send two.") && thread.contains("(brand)"))
        let listed = try await partner(["conversations"] + api)
        #expect(!listed.contains(system.id) && listed.contains(direct.id))
        let other = try await server.admin.run(["partner-api", "thread"] + api + [system.id], replica: false)
        #expect(other.status == 1 && other.stderr.contains("[not_found]"))
    }

    @Test("partner-api batch: one answer line per input line, in order; a bad or refused line is an error line and the rest still run")
    func batch() async throws {
        let server = try await ServerProcess.world()
        defer { server.stop() }
        let token = try await server.adminRun(["partner", "token", "--brand", "northwind", "p1-juniper"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let api = ["--server", server.url, "--token", token]
        let start = try await server.admin.run(["partner-api", "batch"] + api, stdin: """
            {"start": {"subject": "Samples", "text": "They are ready."}, "idempotencyKey": "k-1"}
            {"start": {"subject": "Samples", "text": "They are ready."}, "idempotencyKey": "k-1"}

            """, replica: false)
        #expect(start.status == 0, "\(start.stderr)")
        struct Answer: Decodable {
            struct Failure: Decodable { var code: String; var message: String }
            var conversation: String?
            var duplicate: Bool?
            var error: Failure?
        }
        func answers(_ stdout: String) throws -> [Answer] {
            try stdout.split(separator: "\n").map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
        }
        let first = try answers(start.stdout)
        #expect(first.count == 2)
        let thread = try #require(first.first?.conversation)
        #expect(first.map(\.duplicate) == [false, true] && first.last?.conversation == thread)

        let mixed = try await server.admin.run(["partner-api", "batch"] + api, stdin: """
            {"reply": {"conversation": "\(thread)", "text": "Any news?"}}
            not json
            {"reply": {"conversation": "9:9", "text": "Nowhere"}}
            {"start": {"subject": "A", "text": "b"}, "reply": {"conversation": "\(thread)", "text": "both"}}
            {"reply": {"conversation": "\(thread)", "text": "Still there?"}}
            """, replica: false)
        #expect(mixed.status == 1 && mixed.stderr.contains("3 of 5 lines failed") && mixed.stderr.contains("[batch_failed]"))
        let lines = try answers(mixed.stdout)
        #expect(lines.map { $0.error?.code } == [nil, "invalid_argument", "not_found", "invalid_argument", nil])
        #expect(lines[1].error?.message.hasPrefix("line 2:") == true)
        let shown = try await server.admin.run(["partner-api", "thread"] + api + [thread], replica: false)
        #expect(shown.stdout.contains("Any news?") && shown.stdout.contains("Still there?") && !shown.stdout.contains("both"))
    }
}
