import Crypto
import Foundation
import Hummingbird
import HTTPTypes

/// Protects every state-changing request of the web UI against cross-site requests, in three
/// layers (Protocol/WEB_UI.md, "Safety"):
///
/// 1. the `Host` header must name the loopback address the UI serves (no DNS rebinding);
/// 2. a browser's `Sec-Fetch-Site` must be `same-origin` or `none`, and an `Origin`, when sent,
///    must be the UI's own;
/// 3. the request must carry the per-process secret ``token``: the `_csrf` form field or the
///    `X-CSRF-Token` header (``check(token:)``, which the form decoding calls).
public struct CSRFGuard: Sendable {
    /// A fresh random secret, different in every process; pages embed it.
    public let token: String

    public init(token: String = CSRFGuard.newToken()) {
        self.token = token
    }

    /// 32 random bytes, hex.
    public static func newToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

    /// Whether `candidate` is the token (compared in constant time).
    public func check(token candidate: String?) -> Bool {
        guard let candidate else { return false }
        let a = Array(candidate.utf8), b = Array(token.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Whether the request's headers may come from the UI's own pages (layers 1 and 2).
    public func sameOrigin(host: String?, origin: String?, fetchSite: String?, allowedHosts: Set<String>) -> Bool {
        guard let host, allowedHosts.contains(host.lowercased()) else { return false }
        if let fetchSite, !["same-origin", "none"].contains(fetchSite.lowercased()) { return false }
        if let origin, origin != "http://\(host)" { return false }
        return true
    }
}

/// Applies ``CSRFGuard`` layers 1 and 2 to every request that changes state (anything but GET and
/// HEAD), and layer 1 to every request. (The security headers are ``SecurityHeadersMiddleware``'s,
/// outside it, so that refusals and error pages carry them too.)
struct CSRFMiddleware<Context: RequestContext>: RouterMiddleware {
    let guardian: CSRFGuard
    let allowedHosts: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        let host = request.head.authority
        let safe = request.method == .get || request.method == .head
        if safe {
            guard let host, allowedHosts.contains(host.lowercased()) else {
                throw HTTPError(.misdirectedRequest, message: "this UI answers only on its loopback address")
            }
        } else {
            guard guardian.sameOrigin(host: host, origin: request.headers[.origin],
                                      fetchSite: request.headers[.secFetchSite], allowedHosts: allowedHosts) else {
                throw HTTPError(.forbidden, message: "cross-site request refused")
            }
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xCSRFToken = Self("X-CSRF-Token")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
