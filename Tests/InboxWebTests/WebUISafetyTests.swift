import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import InboxModel
import Replica
import Testing
@testable import InboxWeb

/// What a hostile web page must not get from `outpost ui`: the security headers on every
/// response, error pages without the CSRF token or forms, no open redirect from the *Work
/// offline* switch, and 413 for a form body over the limit.
@Suite("Web UI safety: headers on every response, no token on error pages, local redirects, 413")
struct WebUISafetyTests {
    /// The four headers every response must carry, with their values.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "frame-ancestors 'none'"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),
    ]

    static func expectSecurityHeaders(_ response: TestResponse, _ what: String,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, value) in securityHeaders {
            #expect(response.headers[name]?.contains(value) == true,
                    "\(what) (\(response.status.code)): \(name) is \(response.headers[name] ?? "missing")",
                    sourceLocation: sourceLocation)
        }
    }

    /// An enrolled device's UI (so the status bar has its *Work offline* form), with a route that
    /// fails with an unexpected error, for a 500.
    static func enrolledApp(_ world: UIWorld, allowedHosts: Set<String> = ["localhost"]) throws
        -> Application<RouterResponder<BasicRequestContext>> {
        let ui = try WebUI(replica: world.replica, monitor: SyncMonitor(enrolled: true),
                           csrf: CSRFGuard(token: "test-token"))
        let router = ui.router(allowedHosts: allowedHosts)
        router.get("/test/unexpected") { _, _ -> Response in throw CocoaError(.fileReadCorruptFile) }
        return Application(router: router)
    }

    /// The headers of the page's script: a form body and the token as `X-CSRF-Token`.
    static var scriptHeaders: HTTPFields {
        var headers = UIWorld.formHeaders
        headers[HTTPField.Name("X-CSRF-Token")!] = "test-token"
        return headers
    }

    struct Case: Sendable {
        var what: String
        var uri: String
        var method: HTTPRequest.Method = .get
        var headers: HTTPFields = [:]
        var body: ByteBuffer?
        var status: HTTPResponse.Status
    }

    @Test("every response carries CSP, X-Frame-Options, nosniff and Referrer-Policy: pages, redirects, every error status")
    func headersOnEveryResponse() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let direct = try world.directConversation()
        let system = try #require(try world.replica.inbox(InboxFilter(kind: .system, limit: 1)).first).id
        let script = Self.scriptHeaders
        var crossSite = UIWorld.formHeaders
        crossSite[.origin] = "http://evil.example"
        let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024)
        let cases = [
            Case(what: "the inbox", uri: "/inbox", status: .ok),
            Case(what: "the stylesheet", uri: "/static/app.css", status: .ok),
            Case(what: "a form's redirect", uri: "/sync/offline", method: .post, headers: UIWorld.formHeaders,
                 body: UIWorld.form(["offline": "0", "_csrf": "test-token"]), status: .seeOther),
            Case(what: "an unknown thread", uri: "/threads/99:99", status: .notFound),
            Case(what: "an unmatched route", uri: "/no/such/page", status: .notFound),
            Case(what: "a method no route takes", uri: "/inbox", method: .delete, headers: script, status: .notFound),
            Case(what: "a form without the token", uri: "/threads/\(direct)/reply", method: .post,
                 headers: UIWorld.formHeaders, body: UIWorld.form(["text": "no token"]), status: .forbidden),
            Case(what: "a cross-site post", uri: "/threads/\(direct)/reply", method: .post, headers: crossSite,
                 body: UIWorld.form(["text": "x", "_csrf": "test-token"]), status: .forbidden),
            Case(what: "a refused input", uri: "/drafts/\(direct)/pick", method: .post, headers: UIWorld.formHeaders,
                 body: UIWorld.form(["version": "not a dot", "_csrf": "test-token"]), status: .badRequest),
            Case(what: "a reply to a notification", uri: "/threads/\(system)/reply", method: .post,
                 headers: UIWorld.formHeaders, body: UIWorld.form(["text": "hi", "_csrf": "test-token"]),
                 status: .conflict),
            Case(what: "a script's refused input", uri: "/drafts/\(direct)/pick", method: .post, headers: script,
                 body: UIWorld.form(["version": "x"]), status: .badRequest),
            Case(what: "a body over the limit", uri: "/threads/\(direct)/reply", method: .post,
                 headers: UIWorld.formHeaders, body: big, status: .contentTooLarge),
            Case(what: "an unexpected error", uri: "/test/unexpected", status: .internalServerError),
        ]
        try await Self.enrolledApp(world).test(.router) { client in
            for item in cases {
                try await client.execute(uri: item.uri, method: item.method, headers: item.headers, body: item.body) {
                    response in
                    #expect(response.status == item.status, "\(item.what)")
                    Self.expectSecurityHeaders(response, item.what)
                }
            }
        }
        // 421: a request for another host (DNS rebinding) is refused, with the headers too.
        try await Self.enrolledApp(world, allowedHosts: ["127.0.0.1:8751"]).test(.router) { client in
            try await client.execute(uri: "/inbox", method: .get) { response in
                #expect(response.status == .misdirectedRequest)
                Self.expectSecurityHeaders(response, "a foreign Host")
            }
        }
    }

    @Test("error pages carry neither the CSRF token nor any form; pages do")
    func errorPagesHaveNoToken() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let direct = try world.directConversation()
        try await Self.enrolledApp(world).test(.router) { client in
            try await client.execute(uri: "/inbox", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<meta name=\"csrf-token\" content=\"test-token\">"))
                #expect(html.contains("id=\"offline-toggle\""), "an enrolled device's pages have the switch")
            }
            for (uri, method, body, status) in [
                ("/threads/99:99", HTTPRequest.Method.get, nil, HTTPResponse.Status.notFound),
                ("/no/such/page", .get, nil, .notFound),
                ("/threads/\(direct)/reply", .post, UIWorld.form(["text": "x", "_csrf": "guess"]), .forbidden),
                ("/test/unexpected", .get, nil, .internalServerError),
            ] as [(String, HTTPRequest.Method, ByteBuffer?, HTTPResponse.Status)] {
                try await client.execute(uri: uri, method: method, headers: UIWorld.formHeaders, body: body) { response in
                    #expect(response.status == status, "\(uri)")
                    let html = String(buffer: response.body)
                    #expect(html.contains("<h1>"), "\(uri) is an error page: \(html)")
                    #expect(!html.contains("test-token"), "\(uri) carries the CSRF token")
                    #expect(!html.contains("csrf-token"), "\(uri) has the token's meta tag")
                    #expect(!html.contains("<form"), "\(uri) has a form")
                    #expect(html.contains("id=\"connection\""), "\(uri) still shows the sync status")
                }
            }
        }
    }

    @Test("POST /sync/offline goes back only to a page of the UI: any other Referer gives /inbox")
    func noOpenRedirect() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let evil = [
            "//evil.example/x", "/\\evil.example", "///evil.example", "////evil.example/inbox/",
            "http://localhost//evil.example/x", "http://localhost/\\evil.example", "http://localhost///evil.example",
            "https://evil.example/", "https://evil.example", "javascript:alert(1)", "/%2F%2Fevil.example",
            "/threads/..//evil.example", "/threads/%2e%2e//evil.example", "http://localhost/inbox/../..//evil.example",
            "/inbox%0d%0aLocation:%20http://evil.example", "/threads/1:2/../../evil", "/threads", "/threads/",
            "/static/app.js", "/events", "/sync/offline", "\t/inbox", "/inbox\u{7f}", "inbox", "", "   ",
        ]
        let local = [
            ("http://localhost/inbox", "/inbox"),
            ("http://localhost/threads/1:2861?x=1#reply", "/threads/1:2861?x=1"),
            ("http://localhost/inbox?unread=1&kind=direct&q=samples%20winter", "/inbox?unread=1&kind=direct&q=samples%20winter"),
            ("http://localhost/partners/p1-juniper-oak", "/partners/p1-juniper-oak"),
            ("http://localhost/partners?status=active", "/partners?status=active"),
            ("http://localhost/compose?partner=p1", "/compose?partner=p1"),
            ("http://localhost/drafts", "/drafts"),
            // A query with anything unusual is dropped, the page kept.
            ("http://localhost/inbox?q=<script>", "/inbox"),
            ("http://localhost/inbox?q=a%0d%0a\\b", "/inbox"),
        ]
        try await world.app.test(.router) { client in
            for (referer, expected) in evil.map({ ($0, "/inbox") }) + local {
                var headers = UIWorld.formHeaders
                headers[.referer] = referer
                try await client.execute(uri: "/sync/offline", method: .post, headers: headers,
                                         body: UIWorld.form(["offline": "0", "_csrf": "test-token"])) { response in
                    #expect(response.status == .seeOther, "Referer \(referer.debugDescription)")
                    #expect(response.headers[.location] == expected, "Referer \(referer.debugDescription)")
                }
            }
            // No Referer at all: the inbox.
            try await client.execute(uri: "/sync/offline", method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["offline": "0", "_csrf": "test-token"])) { response in
                #expect(response.headers[.location] == "/inbox")
            }
        }
    }

    @Test("a form body over 2 MiB is 413 Content Too Large (a page, or plain text for the script), and changes nothing")
    func bodyTooLarge() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        let before = try world.replica.thread(id, markRead: false).messages.count
        let text = String(repeating: "a", count: 3 * 1024 * 1024)
        let script = Self.scriptHeaders
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/\(id)/reply", method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["text": text, "_csrf": "test-token"])) { response in
                #expect(response.status == .contentTooLarge)
                let html = String(buffer: response.body)
                #expect(html.contains("<h1>That did not work</h1>") && html.contains("too much"), "\(html.prefix(300))")
                #expect(!html.contains("NIOTooManyBytesError"))
            }
            try await client.execute(uri: "/threads/\(id)/draft", method: .post, headers: script,
                                     body: UIWorld.form(["text": text])) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: response.body).contains("too much"))
            }
            // Just under the limit is read (and refused by the replica's own rules, or taken).
            let under = String(repeating: "b", count: 1024 * 1024)
            try await client.execute(uri: "/threads/\(id)/draft", method: .post, headers: script,
                                     body: UIWorld.form(["text": under])) { response in
                #expect(response.status != .contentTooLarge)
            }
        }
        #expect(try world.replica.thread(id, markRead: false).messages.count == before)
    }

    @Test("a real 3 MiB POST to a listening UI is answered 413, not 500")
    func bodyTooLargeLive() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        let ui = try WebUI(replica: world.replica, csrf: CSRFGuard(token: "test-token"))
        // Hummingbird's live test client sends `Host: localhost`.
        let app = Application(router: ui.router(allowedHosts: ["localhost"]),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await client.execute(uri: "/threads/\(id)/reply", method: .post, headers: UIWorld.formHeaders,
                                     body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024)) { response in
                #expect(response.status == .contentTooLarge)
                Self.expectSecurityHeaders(response, "413 over a real connection")
            }
        }
    }
}
