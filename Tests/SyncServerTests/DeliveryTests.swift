import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import OutpostTestSupport
import Replica
import Synchronization
import Testing
import Wire
@testable import SyncServer

/// A transport that answers from a script: `outcome(mail, attempt)` (attempt 1 for a message's
/// first) is the failure to throw, or `nil` to take the mail.
final class ScriptedTransport: MailTransport {
    let outcome: @Sendable (OutboundMail, Int) -> MailFailure?
    private let state = Mutex<(attempts: [String: Int], taken: [OutboundMail])>(([:], []))

    init(_ outcome: @escaping @Sendable (OutboundMail, Int) -> MailFailure? = { _, _ in nil }) {
        self.outcome = outcome
    }

    var taken: [OutboundMail] { state.withLock { $0.taken } }

    func send(_ mail: OutboundMail, whenAccepted: @escaping @Sendable () async throws -> Void) async throws(MailFailure) {
        let attempt = state.withLock { state -> Int in
            state.attempts[mail.messageID, default: 0] += 1
            return state.attempts[mail.messageID]!
        }
        if let failure = outcome(mail, attempt) { throw failure }
        state.withLock { $0.taken.append(mail) }
        do { try await whenAccepted() } catch { throw .transient("\(error)") }
    }
}

@Suite("Reply delivery through the server and a device", .timeLimit(.minutes(5)))
struct DeliveryTests {
    static func configuration(_ transport: any MailTransport, attempts: Int = 8) -> DeliveryConfiguration {
        DeliveryConfiguration(transport: transport, from: MailAddress("outpost@northwind.example")!,
                              maxAttempts: attempts, firstRetry: .milliseconds(40), interval: .milliseconds(20))
    }

    static func mailFiles(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func delivery(_ replica: Replica, _ thread: ConversationID) throws -> [DeliveryState?] {
        try replica.thread(thread, markRead: false).messages.map(\.delivery)
    }

    @Test("a device's message becomes one .eml file; the device sees sent; the same ops synced again send nothing")
    func fileTransport() async throws {
        let world = try TestWorld { folder in Self.configuration(FileMailTransport(directory: folder)) }
        defer { world.cleanUp() }
        let folder = world.directory + "/outbox-mail"
        let laptop = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            // Written offline, synced later.
            let thread = try laptop.replica.compose(to: TestWorld.partner, subject: "Samples", text: "Did they arrive?")
            let reply = try laptop.replica.reply(to: thread, text: "Grüße, and one more thing:\n.\nThe box was dented.")
            #expect(try Self.delivery(laptop.replica, thread) == [.pending, .pending])
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            try await eventually("two files") {
                Self.mailFiles(folder).count == 2 && world.server.metrics.deliveriesSent == 2
            }
            try await eventually("sent on the device") {
                _ = try await client.sync(laptop.replica, token: laptop.enrollment.token)
                return try Self.delivery(laptop.replica, thread) == [.sent, .sent]
            }

            let first = OutboundMail.messageID(brand: TestWorld.northwind, message: MessageID(thread.dot))
            let second = OutboundMail.messageID(brand: TestWorld.northwind, message: reply)
            let names = Set([first, second].map { String($0.prefix { $0 != "@" }) + ".eml" })
            #expect(Set(Self.mailFiles(folder)) == names)
            let text = try String(contentsOfFile: folder + "/" + String(second.prefix { $0 != "@" }) + ".eml", encoding: .utf8)
            #expect(text.contains("From: \"Dana (Northwind)\" <outpost@northwind.example>\r\n"))
            #expect(text.contains("To: \"Juniper\" <j@example.com>\r\n"))
            #expect(text.contains("Subject: Re: Samples\r\n"))
            #expect(text.contains("Message-ID: <\(second)>\r\n"))
            #expect(text.contains("In-Reply-To: <\(first)>\r\n"))
            let body = String(text[text.range(of: "\r\n\r\n")!.upperBound...])
            #expect(MailRenderingTests.decodeQuotedPrintable(body)
                == "Grüße, and one more thing:\r\n.\r\nThe box was dented.\r\n")

            // The device's ack got lost: it posts the same ops again. They are duplicates.
            let own = try laptop.replica.ops(missingFrom: VersionVector(), limit: 100).ops
                .filter { $0.dot.replica == laptop.enrollment.replica }
            let body2 = try OneShotBadBodyTests.hello(laptop.enrollment)
                + FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: own, more: false)))
            for _ in 0..<2 {
                let (status, _) = try await OneShotBadBodyTests.post(body2, laptop.enrollment, client)
                #expect(status == .ok)
            }
            // A new message after them: once it is delivered and nothing is owed, the worker has
            // scanned past the duplicates, and anything they had made owed would have gone out too.
            let third = try laptop.replica.compose(to: TestWorld.partner, subject: "Later", text: "After the repeats")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            let thirdName = String(OutboundMail.messageID(brand: TestWorld.northwind, message: MessageID(third.dot))
                .prefix { $0 != "@" }) + ".eml"
            try await eventually("the later message delivered, nothing owed") {
                try Self.mailFiles(folder).contains(thirdName) && world.store.owedDeliveries() == 0
            }
            #expect(Self.mailFiles(folder).count == 3)
            #expect(world.server.metrics.deliveriesSent == 3, "the repeated ops were not delivered again")
        }
    }

    @Test("a message to a partner that has left the platform fails with a reason; a paused one is delivered")
    func endedPartner() async throws {
        let transport = ScriptedTransport()
        let world = try TestWorld { _ in Self.configuration(transport) }
        defer { world.cleanUp() }
        let paused = PartnerID(rawValue: "p2")!
        try world.store.addPartner(brand: TestWorld.northwind, id: paused, name: "Kestrel", email: "k@example.com",
                                   status: .paused)
        let laptop = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            let toEnded = try laptop.replica.compose(to: TestWorld.partner, subject: "Samples", text: "Still there?")
            let toPaused = try laptop.replica.compose(to: paused, subject: "On hold", text: "Shall we resume?")
            // The partner leaves while the message waits on the device.
            try world.store.setPartnerStatus(brand: TestWorld.northwind, id: TestWorld.partner, status: .ended)
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            try await eventually("failed and sent on the device") {
                _ = try await client.sync(laptop.replica, token: laptop.enrollment.token)
                return try Self.delivery(laptop.replica, toEnded) == [.failed]
                    && Self.delivery(laptop.replica, toPaused) == [.sent]
            }
            let message = try laptop.replica.thread(toEnded, markRead: false).messages[0]
            #expect(message.deliveryReason == DeliveryDecision.partnerLeftReason)
            #expect(transport.taken.map(\.to.description) == ["k@example.com"])
            #expect(world.server.metrics.deliveriesFailed == 1)
        }
    }

    @Test("transient failures are retried with the reason shown as queued, then sent; 5xx fails at once; bounded")
    func retries() async throws {
        let transport = ScriptedTransport { mail, attempt in
            switch mail.subject {
            case "Flaky": attempt <= 2 ? .transient("cannot connect to the mail relay: connection refused") : nil
            case "Refused": .permanent("the relay refused the recipient <j@example.com>: 550 5.1.1 no such mailbox")
            default: .transient("the relay refused the message for now: 451 try later")
            }
        }
        let world = try TestWorld { _ in Self.configuration(transport, attempts: 3) }
        defer { world.cleanUp() }
        let laptop = try world.enroll(TestWorld.dana)
        try await world.app.test(.live) { client in
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            let flaky = try laptop.replica.compose(to: TestWorld.partner, subject: "Flaky", text: "one")
            let refused = try laptop.replica.compose(to: TestWorld.partner, subject: "Refused", text: "two")
            let stuck = try laptop.replica.compose(to: TestWorld.partner, subject: "Stuck", text: "three")
            #expect(try await client.sync(laptop.replica, token: laptop.enrollment.token) == .caughtUp)
            try await eventually("all final") {
                _ = try await client.sync(laptop.replica, token: laptop.enrollment.token)
                return try [flaky, refused, stuck].map { try Self.delivery(laptop.replica, $0) }
                    == [[.sent], [.failed], [.failed]]
            }
            #expect(try world.brandReplica().ops(missingFrom: VersionVector(), limit: 1_000).ops.contains { op in
                if case .setDelivery(let delivery) = op.body {
                    return delivery.state == .queued
                        && delivery.reason?.hasPrefix("attempt 1 of 3 failed: cannot connect to the mail relay") == true
                }
                return false
            }, "the retry's reason went out as a queued state")
            let refusedReason = try laptop.replica.thread(refused, markRead: false).messages[0].deliveryReason
            #expect(refusedReason == "the relay refused the recipient <j@example.com>: 550 5.1.1 no such mailbox")
            let stuckReason = try laptop.replica.thread(stuck, markRead: false).messages[0].deliveryReason ?? ""
            #expect(stuckReason.hasPrefix("gave up after 3 attempts: the relay refused the message for now"), "\(stuckReason)")
            #expect(world.server.metrics.deliveriesSent == 1)
            #expect(world.server.metrics.deliveriesFailed == 2)
            #expect(world.server.metrics.deliveryRetries == 4, "two for Flaky, two for Stuck")
            let metrics = world.server.metrics.render()
            #expect(metrics.contains("outpost_deliveries_sent_total 1"))
            #expect(metrics.contains("outpost_deliveries_failed_total 2"))
            #expect(metrics.contains("outpost_delivery_retries_total 4"))
            #expect(metrics.contains("outpost_deliveries_owed 0"))
        }
    }

    @Test("the retry wait doubles, is capped, and loses at most half to jitter")
    func backoff() {
        var configuration = Self.configuration(ScriptedTransport())
        configuration.firstRetry = .seconds(30)
        configuration.maxRetry = .seconds(3_600)
        configuration.random = { 0 }
        #expect((1...9).map { configuration.retryDelay(afterAttempt: $0) }
            == [30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600].map { Duration.seconds($0) })
        configuration.random = { 0.999_999 }
        let jittered = configuration.retryDelay(afterAttempt: 2)
        #expect(jittered > .seconds(30) && jittered < .seconds(31))
    }
}
