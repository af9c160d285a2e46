import Causality
import DemoHistory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxModel
@testable import InboxWeb
import Replica
import SyncClient
import Testing

/// The web UI in-process (Hummingbird's router test client) over a small demo replica.
struct UIWorld {
    let directory: URL
    let replica: Replica
    let ui: WebUI
    let app: Application<RouterResponder<BasicRequestContext>>

    init(pageSize: Int = 100) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outpost-ui-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        replica = try Replica.buildDemo(at: directory.appendingPathComponent("replica.sqlite").path,
                                        options: DemoOptions(messages: 150, now: 1_767_225_600_000))
        ui = try WebUI(replica: replica, csrf: CSRFGuard(token: "test-token"), pageSize: pageSize)
        // The router test client sends `Host: localhost`.
        app = Application(router: ui.router(allowedHosts: ["localhost"]))
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// A direct conversation to write in.
    func directConversation() throws -> ConversationID {
        try #require(try replica.inbox(InboxFilter(kind: .direct, limit: 1)).first).id
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
}

@Suite("Web UI routes (in-process)")
struct WebUITests {
    @Test("the inbox lists conversations, unread ones marked, and filters narrow it")
    func inbox() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let unread = try world.replica.inbox(InboxFilter(unreadOnly: true, limit: 100)).count
        try #require(unread > 0)
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/inbox", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.components(separatedBy: "class=\"row kind-").count - 1 == 10, "150 messages: 10 threads")
                #expect(html.components(separatedBy: " unread\" data-id=").count - 1 == unread)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            }
            try await client.execute(uri: "/inbox?unread=1&kind=direct", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(!html.contains("data-unread=\"false\""))
                #expect(!html.contains("data-kind=\"system\"") && !html.contains("data-kind=\"inquiry\""))
            }
        }
    }

    @Test("a message body with HTML shows as text")
    func escapes() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        try world.replica.reply(to: id, text: "<script>alert(1)</script> & \"quotes\"")
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/\(id)", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"))
                #expect(!html.contains("<script>alert(1)"))
            }
        }
    }

    @Test("opening a thread marks it read")
    func opensAsRead() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let row = try #require(try world.replica.inbox(InboxFilter(unreadOnly: true, limit: 1)).first)
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/\(row.id)", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try world.replica.inbox(InboxFilter(limit: 100)).first { $0.id == row.id }?.unread == false)
    }

    @Test("state changes need the token and a same-origin request")
    func csrf() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        let before = try world.replica.thread(id, markRead: false).messages.count
        try await world.app.test(.router) { client in
            let uri = "/threads/\(id)/reply"
            try await client.execute(uri: uri, method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["text": "no token"])) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: uri, method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["text": "wrong token", "_csrf": "guess"])) { response in
                #expect(response.status == .forbidden)
            }
            var crossSite = UIWorld.formHeaders
            crossSite[.origin] = "http://evil.example"
            try await client.execute(uri: uri, method: .post, headers: crossSite,
                                     body: UIWorld.form(["text": "cross site", "_csrf": "test-token"])) { response in
                #expect(response.status == .forbidden)
            }
            var sameOrigin = UIWorld.formHeaders
            sameOrigin[.origin] = "http://localhost"
            sameOrigin[HTTPField.Name("Sec-Fetch-Site")!] = "same-origin"
            try await client.execute(uri: uri, method: .post, headers: sameOrigin,
                                     body: UIWorld.form(["text": "Thanks, see you Monday", "_csrf": "test-token"])) {
                response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/threads/\(id)#reply")
            }
        }
        let messages = try world.replica.thread(id, markRead: false).messages
        #expect(messages.count == before + 1)
        #expect(messages.last?.body == "Thanks, see you Monday")
        #expect(messages.last?.delivery == .pending)
    }

    @Test("a draft saved by the page's script, then a conflict resolved by keeping one version")
    func drafts() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        // The demo replica holds a draft in conflict between Dana's laptop and tablet.
        let conflicted = try #require(try world.replica.drafts().first { $0.inConflict })
        guard case .conversation(let id) = conflicted.key else { Issue.record("a compose draft"); return }
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/\(id)", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Draft in conflict"))
                for version in conflicted.versions { #expect(html.contains("value=\"\(version.version)\"")) }
            }
            let kept = conflicted.versions[0]
            try await client.execute(uri: "/drafts/\(conflicted.key)/pick", method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["version": kept.version.description, "_csrf": "test-token"])) {
                response in
                #expect(response.status == .seeOther)
            }
            #expect(try world.replica.draft(conflicted.key).versions.map(\.text) == [kept.text])
            var script = UIWorld.formHeaders
            script[HTTPField.Name("X-CSRF-Token")!] = "test-token"
            try await client.execute(uri: "/threads/\(id)/draft", method: .post, headers: script,
                                     body: UIWorld.form(["text": "typed in the browser"])) { response in
                #expect(response.status == .noContent)
            }
        }
        #expect(try world.replica.draft(conflicted.key).text == "typed in the browser")
    }

    @Test("a new message drafted as it is typed, then sent from its draft")
    func composeDraft() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let partner = try #require(try world.replica.partners(status: .active).first).partner.id
        var headers = UIWorld.formHeaders
        headers[HTTPField.Name("X-CSRF-Token")!] = "test-token"
        let script = headers
        try await world.app.test(.router) { client in
            let key = try await client.execute(uri: "/compose/draft", method: .post, headers: script,
                                               body: UIWorld.form(["partner": partner.rawValue, "subject": "Samples",
                                                                   "text": "First words", "draft": ""])) { response in
                #expect(response.status == .ok)
                return String(buffer: response.body)
            }
            let draftKey = try #require(DraftKey(text: key))
            #expect(try world.replica.draft(draftKey).text == "First words")
            try await client.execute(uri: "/compose", method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["partner": partner.rawValue, "subject": "Samples",
                                                         "text": "First words, then more", "draft": key,
                                                         "_csrf": "test-token"])) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/threads/") == true)
            }
            #expect(try world.replica.drafts().allSatisfy { $0.key != draftKey })
            let thread = try #require(try world.replica.inbox(InboxFilter(partner: partner, limit: 1)).first)
            #expect(thread.subject == "Samples" && thread.preview.hasPrefix("First words, then more"))
        }
    }

    @Test("the list pages: newer and older links keep the filters, and a bad page is the first")
    func paging() async throws {
        let world = try UIWorld(pageSize: 4)
        defer { world.cleanUp() }
        let all = try world.replica.inbox(InboxFilter(limit: 100)).map(\.id.description)
        try #require(all.count == 10)
        // A filter that needs two pages of 4, to see the links keep it.
        let candidates: [(String, InboxFilter)] = [
            ("kind=direct", InboxFilter(kind: .direct, limit: 100)), ("kind=inquiry", InboxFilter(kind: .inquiry, limit: 100)),
            ("status=active", InboxFilter(status: .active, limit: 100)), ("unread=1", InboxFilter(unreadOnly: true, limit: 100)),
        ]
        var chosen: (query: String, ids: [String])?
        for (query, filter) in candidates where chosen == nil {
            let ids = try world.replica.inbox(filter).map(\.id.description)
            if (5...8).contains(ids.count) { chosen = (query, ids) }
        }
        let (filtered, matching) = try #require(chosen, "a filter with 5–8 of the 10 threads")

        try await world.app.test(.router) { client in
            var seen: [String] = []
            let pages: [(Int, String?, String?)] = [(1, "/inbox?page=2", nil), (2, "/inbox?page=3", "/inbox"),
                                                    (3, nil, "/inbox?page=2")]
            for (page, older, newer) in pages {
                try await client.execute(uri: page == 1 ? "/inbox" : "/inbox?page=\(page)", method: .get) { response in
                    let html = String(buffer: response.body)
                    seen += InboxHTML.ids(html)
                    #expect(InboxHTML.link(html, "older") == older, "page \(page)")
                    #expect(InboxHTML.link(html, "newer") == newer, "page \(page)")
                    #expect(html.contains("Conversations \(page * 4 - 3)–\(min(page * 4, 10)), newest first"), "page \(page)")
                }
            }
            #expect(seen == all, "three pages show every conversation once, newest first")

            // The links keep the filters; the last page of a filter has no older link.
            try await client.execute(uri: "/inbox?\(filtered)", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(InboxHTML.ids(html) == Array(matching.prefix(4)))
                #expect(InboxHTML.link(html, "older") == "/inbox?\(filtered)&amp;page=2")
            }
            try await client.execute(uri: "/inbox?\(filtered)&page=2", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(InboxHTML.ids(html) == Array(matching.dropFirst(4)))
                #expect(InboxHTML.link(html, "older") == nil)
                #expect(InboxHTML.link(html, "newer") == "/inbox?\(filtered)")
            }
            // A bad page number is ignored like any bad filter value: the first page.
            for bad in ["0", "-2", "x", "2.5", "100001", "99999999999999999999"] {
                try await client.execute(uri: "/inbox?page=\(bad)", method: .get) { response in
                    #expect(response.status == .ok, "page=\(bad)")
                    #expect(InboxHTML.ids(String(buffer: response.body)) == Array(all.prefix(4)), "page=\(bad)")
                }
            }
            // Past the last page: no rows, a way back, and no way on.
            try await client.execute(uri: "/inbox?page=9", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(InboxHTML.ids(html).isEmpty)
                #expect(html.contains("No more conversations"))
                #expect(InboxHTML.link(html, "newer") == "/inbox?page=8")
                #expect(InboxHTML.link(html, "older") == nil)
            }
        }
        // One page that holds everything has no pager, as before.
        let whole = try UIWorld()
        defer { whole.cleanUp() }
        try await whole.app.test(.router) { client in
            try await client.execute(uri: "/inbox", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(InboxHTML.ids(html) == all)
                #expect(!html.contains("class=\"pager\""))
                #expect(html.contains("10 conversations"))
            }
        }
        #expect(throws: WebUIError.self) { try WebUI(replica: world.replica, pageSize: 0) }
    }

    @Test("an unknown thread is a 404 page; a foreign Host is refused")
    func errors() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/99:99", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("<h1>Not found</h1>"))
            }
        }
        let strict = Application(router: world.ui.router(allowedHosts: ["127.0.0.1:8751"]))
        try await strict.test(.router) { client in
            try await client.execute(uri: "/inbox", method: .get) { response in
                #expect(response.status == .misdirectedRequest)
            }
        }
    }
}

@Suite("Reconnection backoff")
struct BackoffTests {
    @Test("doubles up to the maximum, with jitter, and starts over after a long session")
    func backoff() {
        var backoff = SyncClient.Backoff(initial: 1, maximum: 8)
        var generator = SystemRandomNumberGenerator()
        var delays: [Double] = []
        for _ in 0..<5 { delays.append(backoff.next(sessionLasted: 0, using: &generator)) }
        for (delay, base) in zip(delays, [1.0, 2, 4, 8, 8]) { #expect(delay >= base * 0.75 && delay <= base * 1.25) }
        let after = backoff.next(sessionLasted: 60, using: &generator)
        #expect(after >= 0.75 && after <= 1.25)
    }
}

/// Reads the inbox list's HTML: the rows' conversation ids, and the address of a pager link.
private enum InboxHTML {
    static func ids(_ html: String) -> [String] {
        html.components(separatedBy: "class=\"row kind-").dropFirst().compactMap { row in
            row.components(separatedBy: "data-id=\"").dropFirst().first?.components(separatedBy: "\"").first
        }
    }
    static func link(_ html: String, _ id: String) -> String? {
        guard let tail = html.components(separatedBy: "id=\"\(id)\"").first?
            .components(separatedBy: "<a href=\"").last, html.contains("id=\"\(id)\"") else { return nil }
        return tail.components(separatedBy: "\"").first
    }
}
