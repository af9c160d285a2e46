import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

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
        } catch is NIOTooManyBytesError {
            failure = ServerError("too_large", "the body is too large", status: 413)
        } catch let thrown where Self.isClientGone(thrown) {
            // The client went away mid-request (mid-body, usually): nobody will read an answer, and
            // it is not the server's failure.
            metrics.connectionClosed("client_closed")
            return Response(status: .badRequest, headers: [.connection: "close"])
        } catch {
            failure = ServerError("internal", "internal error", status: 500)
        }
        metrics.error(failure.code)
        let body = ["error": ["code": failure.code, "message": failure.message]]
        var response = try OutpostServer.json(body, status: HTTPResponse.Status(code: failure.status))
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        // A refused request whose body was not read: the connection cannot carry another request
        // (HTTP would drain the rest first, which a client can make endless). Closed after the answer.
        let hasBody = request.headers[.contentLength].map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        if failure.status == 408 || failure.status == 413 || hasBody { response.headers[.connection] = "close" }
        return response
    }

    /// Errors of a connection that closed or broke under the request: parse errors at an early
    /// end of input, channel and socket errors, cancellation.
    static func isClientGone(_ error: any Error) -> Bool {
        error is HTTPParserError || error is ChannelError || error is IOError || error is CancellationError
    }
}
