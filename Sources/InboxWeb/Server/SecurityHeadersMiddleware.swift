import Hummingbird
import HTTPTypes

/// The outermost middleware of the UI: sets the security headers on every response, whatever made
/// it — a page, a redirect, an asset, the event stream, an error page from ``ErrorPageMiddleware``
/// (403, 404, 413, 421, 500, …) or an unmatched route (Protocol/WEB_UI.md, "Safety").
///
/// An error that reaches it anyway becomes a plain-text response with the same headers, so no
/// response of the UI goes out without them.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The headers, in the order they are set.
    static var headers: [(HTTPField.Name, String)] {
        [
            (.contentSecurityPolicy,
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
            (.xContentTypeOptions, "nosniff"),
            // Not no-referrer: with it, browsers send `Origin: null` on the UI's own form posts.
            (.referrerPolicy, "same-origin"),
            (.xFrameOptions, "DENY"),
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            response = Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "Something went wrong.")))
        }
        for (name, value) in Self.headers { response.headers[name] = value }
        return response
    }
}
