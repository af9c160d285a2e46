import Foundation
import Hummingbird

/// Turns every error into the JSON body `{"error":{"code","message"}}` with its status, and
/// counts it in `outpost_errors_total`.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let failure: ServerError
        do {
            return try await next(request, context)
        } catch let thrown as ServerError {
            failure = thrown
        } catch let thrown as any HTTPResponseError {
            switch thrown.status {
            case .notFound: failure = .notFound("no route for \(request.method) \(request.uri.path)")
            case .methodNotAllowed: failure = ServerError("method_not_allowed", "\(request.method) is not allowed here", status: 405)
            case .contentTooLarge: failure = ServerError("too_large", "the body is too large", status: 413)
            default: failure = ServerError(thrown.status.code < 500 ? "bad_request" : "internal", "\(thrown)",
                                         status: thrown.status.code)
            }
        } catch {
            failure = ServerError("internal", "internal error", status: 500)
        }
        metrics.error(failure.code)
        let body = ["error": ["code": failure.code, "message": failure.message]]
        var response = try OutpostServer.json(body, status: HTTPResponse.Status(code: failure.status))
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        return response
    }
}
