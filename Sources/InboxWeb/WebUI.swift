public import Hummingbird
import HTTPTypes
import NIOPosix
import SyncEngine
public import Foundation
public import Logging
public import Replica
public import SyncClient

/// The inbox in a browser, served from this device's replica (Protocol/WEB_UI.md): server-rendered
/// pages, a little plain JavaScript, live updates over server-sent events, and the background sync
/// loop in the same process, so it works fully with no network.
///
/// ```swift
/// let ui = try WebUI(replica: try Replica.open(at: path))
/// try await ui.application(port: 8751, sync: sync, logger: logger).runService()
/// ```
public struct WebUI: Sendable {
    public let replica: Replica
    public let monitor: SyncMonitor
    public let csrf: CSRFGuard
    let renderer: PageRenderer
    /// "Now", for dates such as "14:05 today".
    let now: @Sendable () -> Date
    /// Conversations on one page of the inbox list.
    let pageSize: Int

    /// The replica must belong to a user (an enrolled device or the demo replica). `pageSize`
    /// (1–1000) is how many conversations one page of the inbox list shows.
    public init(replica: Replica, monitor: SyncMonitor? = nil, csrf: CSRFGuard = CSRFGuard(),
                pageSize: Int = 100, now: @escaping @Sendable () -> Date = { Date() }) throws {
        guard replica.identity.viewer != nil else {
            throw WebUIError(.badRequest, "this replica has no user (a server replica); the UI needs a device's")
        }
        guard (1...1000).contains(pageSize) else {
            throw WebUIError(.badRequest, "the page size must be 1–1000, not \(pageSize)")
        }
        self.pageSize = pageSize
        self.replica = replica
        self.monitor = monitor ?? SyncMonitor(enrolled: false)
        self.csrf = csrf
        renderer = try PageRenderer()
        self.now = now
    }

    /// The UI's HTTP application on `host:port` (loopback by default). With `sync`, a ``SyncLoop``
    /// runs beside it; either way the live event streams end on graceful shutdown.
    /// `onRunning` is called once the UI listens.
    public func application(host: String = "127.0.0.1", port: Int, sync: WebSocketSync? = nil,
                            backoff: Backoff = Backoff(), logger: Logger,
                            onRunning: @escaping @Sendable () async -> Void = {}) -> some ApplicationProtocol {
        var app = Application(
            router: router(allowedHosts: Self.allowedHosts(host: host, port: port)),
            configuration: .init(address: .hostname(host, port: port), serverName: "outpost-ui"),
            onServerRunning: { _ in await onRunning() },
            logger: logger)
        app.addServices(SyncLoop(sync: sync, monitor: monitor, backoff: backoff, logger: logger))
        return app
    }

    /// The `Host` headers the UI answers to: its address and port, and `localhost` for loopback.
    public static func allowedHosts(host: String, port: Int) -> Set<String> {
        var hosts: Set<String> = ["\(host.lowercased()):\(port)"]
        if host == "127.0.0.1" || host == "localhost" || host == "::1" {
            hosts.formUnion(["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"])
        }
        return hosts
    }

    /// Every route (the contract: Protocol/WEB_UI.md).
    public func router(allowedHosts: Set<String>) -> Router<BasicRequestContext> {
        // HEAD on every GET route: the GET's status and headers, without the body.
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        let renderer = renderer
        // Outermost: every response gets the security headers, error pages and unmatched routes too.
        router.middlewares.add(SecurityHeadersMiddleware())
        // Error pages carry no CSRF token and no form (``errorFrame()``).
        router.middlewares.add(ErrorPageMiddleware { [self] error in
            let frame = (try? await onStore { errorFrame() }) ?? errorFrame()
            return renderer.render("error", ErrorPage(error), title: "Error", nav: "", frame: frame)
        })
        router.middlewares.add(CSRFMiddleware(guardian: csrf, allowedHosts: allowedHosts))
        addPageRoutes(to: router)
        addActionRoutes(to: router)
        addLiveRoutes(to: router)
        return router
    }

    // MARK: Helpers for the routes

    /// Replica work (SQLite) of a route, on the store pool: a request waiting for the database
    /// holds no thread of Swift's shared pool, which the server's connections and the sync loop share.
    @discardableResult
    func onStore<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.onStore(body)
    }

    /// The frame every page shares: the CSRF token, who is signed in, the status bar.
    func frame() -> PageRenderer.Frame {
        var frame = errorFrame()
        frame.csrf = csrf.token
        return frame
    }

    /// The frame of an error page: who is signed in and the status bar, but no CSRF token, so no
    /// form (not even *Work offline*) on a page that answers a bad or unknown request.
    func errorFrame() -> PageRenderer.Frame {
        let snapshot = monitor.snapshot
        // The status bar of an error page is decoration: a replica that cannot be read here must not
        // hide the error the page reports.
        let pending = (try? replica.pendingOps()) ?? 0
        let conflicts = (try? replica.drafts().filter(\.inConflict).count) ?? 0
        let lastSync = snapshot.lastSyncMs ?? (try? replica.syncState().lastSyncMs) ?? nil
        let identity = replica.identity
        return PageRenderer.Frame(
            csrf: nil,
            who: "\(identity.viewer?.rawValue ?? "?") at \(identity.brand.rawValue) · device \(identity.replica)",
            status: StatusBar(connection: snapshot.connection, paused: monitor.isPaused, pending: pending,
                              lastSyncMs: lastSync, conflicts: conflicts, error: snapshot.lastError))
    }

    func page(_ template: String, _ model: Any, title: String, nav: String) -> Response {
        Self.html(renderer.render(template, model, title: title, nav: nav, frame: frame()))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: after a form post, the browser GETs `location`.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func query(_ request: Request) -> FormFields {
        FormFields(Substring(request.uri.query ?? ""))
    }
}

extension HTTPField.Name {
    static let xOutpostLive = Self("X-Outpost-Live")!
}
