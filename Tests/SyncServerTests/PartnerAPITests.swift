import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import OutpostTestSupport
import Replica
import ServerAPI
import SyncClient
import Testing
@testable import SyncServer

@Suite("Partner API and platform events (in-process router)")
struct PartnerAPITests {
    static let other = PartnerID(rawValue: "p2-other")!

    /// Northwind's partners p1 and p2, each with a token; acme's partner p9 with a token.
    struct Partners {
        var p1: String
        var p2: String
        var acme: String
    }

    static func partners(_ world: TestWorld) throws -> Partners {
        try world.store.addPartner(brand: TestWorld.northwind, id: other, name: "Other", email: "o@example.com",
                                   status: .active)
        let acmePartner = PartnerID(rawValue: "p9")!
        try world.store.addPartner(brand: TestWorld.acme, id: acmePartner, name: "Acme's", email: "a@example.com",
                                   status: .active)
        return Partners(
            p1: try world.store.makePartnerToken(brand: TestWorld.northwind, partner: TestWorld.partner, name: "t"),
            p2: try world.store.makePartnerToken(brand: TestWorld.northwind, partner: other, name: "t"),
            acme: try world.store.makePartnerToken(brand: TestWorld.acme, partner: acmePartner, name: "t"))
    }

    static func headers(_ token: String?, key: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let key { headers[.init("Idempotency-Key")!] = key }
        return headers
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }

    @Test("a partner starts, replies and forwards an inquiry; the brand replica has each once, as the partner's ops")
    func partnerWrites() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let tokens = try Self.partners(world)
        try await world.app.test(.router) { client in
            let start = #"{"subject":"Samples","text":"New samples are ready."}"#
            let started = try await client.execute(uri: "/v1/partner/conversations", method: .post,
                                                   headers: Self.headers(tokens.p1, key: "k-1"),
                                                   body: ByteBuffer(string: start))
            #expect(started.status == .created)
            let conversation = try Self.decode(PartnerWriteResult.self, started).conversation
            // The same idempotency key again: nothing new.
            let again = try await client.execute(uri: "/v1/partner/conversations", method: .post,
                                                 headers: Self.headers(tokens.p1, key: "k-1"),
                                                 body: ByteBuffer(string: start))
            #expect(again.status == .ok)
            #expect(try Self.decode(PartnerWriteResult.self, again) ==
                    PartnerWriteResult(conversation: conversation, message: conversation, duplicate: true))
            let reply = try await client.execute(uri: "/v1/partner/conversations/\(conversation)/messages", method: .post,
                                                 headers: Self.headers(tokens.p1),
                                                 body: ByteBuffer(string: #"{"text":"Any news?"}"#))
            #expect(reply.status == .created)
            let forward = """
                {"customerName":"Ann Lee","customerEmail":"ann@example.com","storefront":"Juniper Shop",
                 "product":"Oak table","text":"Does it come in walnut?","askedAt":1800000000000,"note":"Please answer Ann"}
                """
            let forwarded = try await client.execute(uri: "/v1/partner/inquiries", method: .post,
                                                     headers: Self.headers(tokens.p1), body: ByteBuffer(string: forward))
            #expect(forwarded.status == .created)
            let inquiry = try Self.decode(PartnerWriteResult.self, forwarded).conversation

            let list = try await client.execute(uri: "/v1/partner/conversations", method: .get,
                                                headers: Self.headers(tokens.p1))
            struct Listing: Decodable { var conversations: [PartnerConversation] }
            let listed = try Self.decode(Listing.self, list).conversations
            #expect(Set(listed.map(\.id)) == [conversation, inquiry])
            let thread = try await client.execute(uri: "/v1/partner/conversations/\(inquiry)", method: .get,
                                                  headers: Self.headers(tokens.p1))
            let view = try Self.decode(PartnerThread.self, thread)
            #expect(view.subject == "Customer Inquiry" && view.kind == "inquiry")
            #expect(view.inquiry?.text == "Does it come in walnut?" && view.inquiry?.customerName == "Ann Lee")
            #expect(view.messages.map(\.text) == ["Please answer Ann"] && view.messages.first?.from == "partner")
        }
        let brand = try world.brandReplica()
        let rows = try brand.inbox(InboxFilter(partner: TestWorld.partner))
        #expect(rows.count == 2)
        #expect(rows.first { $0.kind == .direct }?.messageCount == 2, "the repeated start made nothing")
        let inquiryRow = try #require(rows.first { $0.kind == .inquiry })
        let view = try brand.thread(inquiryRow.id, markRead: false)
        #expect(view.startedBy == .partner(TestWorld.partner))
        #expect(view.inquiry?.storefront == "Juniper Shop")
    }

    @Test("tokens are scoped: no token, a wrong or revoked one, a device token, another partner's or brand's threads")
    func partnerScope() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let tokens = try Self.partners(world)
        let mine = try world.store.partnerStart(PartnerAccess(brand: TestWorld.northwind, partner: TestWorld.partner),
                                                PartnerStartRequest(subject: "Mine", text: "Only for p1"),
                                                idempotencyKey: nil).conversation
        let (device, _) = try world.enroll(TestWorld.dana)
        let revoked = try world.store.makePartnerToken(brand: TestWorld.northwind, partner: TestWorld.partner, name: "old")
        // Revoking revokes every token of p1, the one made at the start too.
        try world.store.revokePartnerTokens(brand: TestWorld.northwind, partner: TestWorld.partner)
        let before = try world.brandReplica().digest()
        try await world.app.test(.router) { client in
            for token in [nil, "wrong", revoked, tokens.p1, device.token] {
                let response = try await client.execute(uri: "/v1/partner/conversations", method: .get,
                                                        headers: Self.headers(token))
                #expect(response.status == .unauthorized, "token \(token ?? "none")")
                #expect(HTTPEndpointTests.errorCode(response) == "unauthorized")
            }
            // Another partner of the same brand, and a partner of another brand: p1's thread does not exist
            // for them, to read or to write.
            for token in [tokens.p2, tokens.acme] {
                let read = try await client.execute(uri: "/v1/partner/conversations/\(mine)", method: .get,
                                                    headers: Self.headers(token))
                #expect(read.status == .notFound && HTTPEndpointTests.errorCode(read) == "not_found")
                let write = try await client.execute(uri: "/v1/partner/conversations/\(mine)/messages", method: .post,
                                                     headers: Self.headers(token),
                                                     body: ByteBuffer(string: #"{"text":"intrusion"}"#))
                #expect(write.status == .notFound && HTTPEndpointTests.errorCode(write) == "not_found")
                let list = try await client.execute(uri: "/v1/partner/conversations", method: .get,
                                                    headers: Self.headers(token))
                #expect(!String(buffer: list.body).contains(mine) && !String(buffer: list.body).contains("Only for p1"))
            }
            // A partner token is not a device token, nor an admin token.
            var sync = HTTPFields()
            sync[.authorization] = "Bearer \(tokens.p2)"
            let syncAttempt = try await client.execute(uri: "/v1/sync", method: .post, headers: sync)
            #expect(syncAttempt.status == .unauthorized)
            let event = #"{"id":"e","brand":"northwind","type":"order","partner":"p1","text":"x"}"#
            let eventAttempt = try await client.execute(uri: "/v1/admin/events", method: .post,
                                                        headers: Self.headers(tokens.p2), body: ByteBuffer(string: event))
            #expect(eventAttempt.status == .unauthorized)
            // Bad bodies change nothing.
            for body in ["{", #"{"subject":"x"}"#, #"{"subject":"","text":"empty subject"}"#] {
                let response = try await client.execute(uri: "/v1/partner/conversations", method: .post,
                                                        headers: Self.headers(tokens.p2), body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
            }
        }
        #expect(try world.brandReplica().digest() == before, "nothing persisted")
    }

    @Test("a partner that left the platform may read but not write")
    func endedPartner() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let tokens = try Self.partners(world)
        try world.store.setPartnerStatus(brand: TestWorld.northwind, id: Self.other, status: .ended)
        let before = try world.brandReplica().digest()
        try await world.app.test(.router) { client in
            let write = try await client.execute(uri: "/v1/partner/conversations", method: .post,
                                                 headers: Self.headers(tokens.p2),
                                                 body: ByteBuffer(string: #"{"subject":"Back?","text":"Hello"}"#))
            #expect(write.status == .forbidden && HTTPEndpointTests.errorCode(write) == "partner_ended")
            let read = try await client.execute(uri: "/v1/partner/conversations", method: .get,
                                                headers: Self.headers(tokens.p2))
            #expect(read.status == .ok)
        }
        #expect(try world.brandReplica().digest() == before)
    }

    @Test("a platform event makes one read-only notification, also when delivered twice; partner_left ends the partner")
    func platformEvents() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let admin = try world.store.makeAdminToken(name: "ops", brand: nil)
        try await world.app.test(.router) { client in
            let left = #"{"id":"evt-9","brand":"northwind","type":"partner_left","partner":"p1","text":"Juniper closed its account."}"#
            let first = try await client.execute(uri: "/v1/admin/events", method: .post, headers: Self.headers(admin),
                                                 body: ByteBuffer(string: left))
            #expect(first.status == .created)
            let second = try await client.execute(uri: "/v1/admin/events", method: .post, headers: Self.headers(admin),
                                                  body: ByteBuffer(string: left))
            #expect(second.status == .ok)
            let one = try Self.decode(PlatformEventResult.self, first), two = try Self.decode(PlatformEventResult.self, second)
            #expect(!one.duplicate && two.duplicate && one.conversation == two.conversation)
            for (body, code) in [(#"{"id":"e2","brand":"nobody","type":"order","partner":"p1","text":"x"}"#, "unknown_brand"),
                                 (#"{"id":"e3","brand":"northwind","type":"order","partner":"p404","text":"x"}"#, "unknown_partner"),
                                 (#"{"id":"e4","brand":"northwind","type":"weather","partner":"p1","text":"x"}"#, "bad_request"),
                                 (#"{"id":"","brand":"northwind","type":"order","partner":"p1","text":"x"}"#, "invalid_argument")] {
                let response = try await client.execute(uri: "/v1/admin/events", method: .post,
                                                        headers: Self.headers(admin), body: ByteBuffer(string: body))
                #expect(HTTPEndpointTests.errorCode(response) == code, "\(body)")
            }
        }
        let brand = try world.brandReplica()
        let system = try brand.inbox(InboxFilter(kind: .system))
        #expect(system.count == 1)
        #expect(system.first?.subject == "Juniper left the platform")
        #expect(try brand.partner(TestWorld.partner).panel.partner.status == .ended)
        // A device sees the notification read-only: replying to it is refused locally.
        let (_, device) = try world.enroll(TestWorld.dana)
        try device.apply(try brand.ops(missingFrom: device.versionVector(), limit: 1_000).ops)
        let id = try #require(system.first?.id)
        #expect(throws: ReplicaError.self) { try device.reply(to: id, text: "Thanks") }
        #expect(try device.thread(id, markRead: false).messages.map(\.body) == ["Juniper closed its account."])
    }
}

@Suite("Idempotency keys and admin tokens (in-process router)")
struct IdempotencyAndAdminTokenTests {
    static func post(_ client: some TestClientProtocol, _ uri: String, _ token: String, key: String? = nil,
                     _ body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: PartnerAPITests.headers(token, key: key),
                                 body: ByteBuffer(string: body))
    }

    @Test("a reused Idempotency-Key or event id on a different request is 422 and makes nothing")
    func reusedKeys() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let tokens = try PartnerAPITests.partners(world)
        let admin = try world.store.makeAdminToken(name: "ops", brand: TestWorld.northwind)
        try await world.app.test(.router) { client in
            let one = try await Self.post(client, "/v1/partner/conversations", tokens.p1, key: "k",
                                          #"{"subject":"One","text":"First thread"}"#)
            let two = try await Self.post(client, "/v1/partner/conversations", tokens.p1, key: "k2",
                                          #"{"subject":"Two","text":"Second thread"}"#)
            let first = try PartnerAPITests.decode(PartnerWriteResult.self, one).conversation
            let second = try PartnerAPITests.decode(PartnerWriteResult.self, two).conversation
            let reply = try await Self.post(client, "/v1/partner/conversations/\(first)/messages", tokens.p1, key: "r",
                                            #"{"text":"A reply"}"#)
            #expect(reply.status == .created)
            let before = try world.brandReplica().digest()
            // The reply's key on another thread; the start's key on a reply; another text.
            for (uri, key, body) in [("/v1/partner/conversations/\(second)/messages", "r", #"{"text":"A reply"}"#),
                                     ("/v1/partner/conversations/\(second)/messages", "k", #"{"text":"First thread"}"#),
                                     ("/v1/partner/conversations", "k", #"{"subject":"One","text":"Other text"}"#)] {
                let response = try await Self.post(client, uri, tokens.p1, key: key, body)
                #expect(response.status == .unprocessableContent, "\(uri) \(key)")
                #expect(HTTPEndpointTests.errorCode(response) == "idempotency_key_reused")
            }
            #expect(try world.brandReplica().digest() == before, "nothing was made")
            // The same request again is still the duplicate it was.
            let again = try await Self.post(client, "/v1/partner/conversations/\(first)/messages", tokens.p1, key: "r",
                                            #"{"text":"A reply"}"#)
            #expect(again.status == .ok)
            #expect(try PartnerAPITests.decode(PartnerWriteResult.self, again).conversation == first)
            // An event id again with another text; partner_left twice is still one event.
            let left = #"{"id":"e1","brand":"northwind","type":"partner_left","partner":"p1","text":"Gone."}"#
            #expect(try await Self.post(client, "/v1/admin/events", admin, left).status == .created)
            #expect(try await Self.post(client, "/v1/admin/events", admin, left).status == .ok)
            let changed = #"{"id":"e1","brand":"northwind","type":"partner_left","partner":"p1","text":"Changed."}"#
            let refused = try await Self.post(client, "/v1/admin/events", admin, changed)
            #expect(HTTPEndpointTests.errorCode(refused) == "idempotency_key_reused")
        }
    }

    @Test("an admin token reaches its own brand only, and a revoked one nothing")
    func scopedAdminTokens() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        _ = try PartnerAPITests.partners(world)
        let northwind = try world.store.makeAdminToken(name: "northwind ops", brand: TestWorld.northwind)
        let everywhere = try world.store.makeAdminToken(name: "platform", brand: nil)
        try await world.app.test(.router) { client in
            let acme = #"{"id":"a1","brand":"acme","type":"order","partner":"p9","text":"An order"}"#
            let refused = try await Self.post(client, "/v1/admin/events", northwind, acme)
            #expect(refused.status == .forbidden)
            #expect(HTTPEndpointTests.errorCode(refused) == "forbidden")
            #expect(try await Self.post(client, "/v1/admin/events", everywhere, acme).status == .created)
            let own = #"{"id":"n1","brand":"northwind","type":"order","partner":"p1","text":"An order"}"#
            #expect(try await Self.post(client, "/v1/admin/events", northwind, own).status == .created)

            let records = try world.store.adminTokens()
            #expect(records.map(\.brand) == ["northwind", nil])
            let record = try #require(records.first)
            #expect(!record.id.isEmpty && !northwind.hasPrefix(record.id), "the id is not the token")
            _ = try world.store.revokeAdminToken(id: String(record.id.prefix(8)))
            let again = #"{"id":"n2","brand":"northwind","type":"order","partner":"p1","text":"Another"}"#
            let revoked = try await Self.post(client, "/v1/admin/events", northwind, again)
            #expect(revoked.status == .unauthorized)
            #expect(try world.store.adminTokens().first?.revoked != nil)
        }
        #expect(throws: ServerError.self) { try world.store.revokeAdminToken(id: "zz") }
    }
}

@Suite("Partner writes reach connected devices at once", .timeLimit(.minutes(5)))
struct PartnerLivePushTests {
    @Test("a partner's reply and a platform event are pushed to a live device without waiting for the poller")
    func pushed() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        // The poller would find the change too, but only after an hour: what arrives is the push.
        var server = world.server
        server.pollInterval = .seconds(3_600)
        let token = try world.store.makePartnerToken(brand: TestWorld.northwind, partner: TestWorld.partner, name: "t")
        let admin = try world.store.makeAdminToken(name: "ops", brand: TestWorld.northwind)
        let tablet = try world.enroll(TestWorld.dana)
        try await server.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let live = await LiveSession.open(tablet.replica, token: tablet.enrollment.token, client)
            try #require(live.caughtUp, "the first exchange did not complete")
            let start = try await client.execute(uri: "/v1/partner/conversations", method: .post,
                                                 headers: PartnerAPITests.headers(token),
                                                 body: ByteBuffer(string: #"{"subject":"Live","text":"From the partner"}"#))
            #expect(start.status == .created)
            try await eventually("the partner's conversation on the tablet") { try !tablet.replica.inbox().isEmpty }
            #expect(try tablet.replica.inbox().first?.preview == "From the partner")
            let event = #"{"id":"e-live","brand":"northwind","type":"proposal_activity","partner":"p1","text":"A proposal was viewed"}"#
            let posted = try await client.execute(uri: "/v1/admin/events", method: .post,
                                                  headers: PartnerAPITests.headers(admin), body: ByteBuffer(string: event))
            #expect(posted.status == .created)
            try await eventually("the platform event on the tablet") { try tablet.replica.inbox().count >= 2 }
            #expect(try tablet.replica.inbox(InboxFilter(kind: .system)).first?.preview == "A proposal was viewed")
            try await live.stop()
        }
    }
}
