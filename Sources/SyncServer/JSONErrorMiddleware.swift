import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Turns every error into the JSON body `{"error":{"code","message"}}` with its status, and
/// counts it in `outpost_errors_total`.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = OutpostRequestContext
    let metrics: ServerMetrics
    let limits: ServerLimits
    /// A refused request's unread body up to this size is read and dropped, so that the connection
    /// can carry the next request; a larger one closes the connection.
    static let drainLimit = 64 * 1024

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
            case .methodNotAllowed: failure = ServerError(.methodNotAllowed, "\(request.method) is not allowed here")
            case .contentTooLarge: failure = ServerError(.tooLarge, "the body is too large")
            default: failure = ServerError(thrown.status.code < 500 ? .badRequest : .internal, "\(thrown)")
            }
        } catch is NIOTooManyBytesError {
            failure = ServerError(.tooLarge, "the body is too large")
        } catch let thrown where Self.isClientGone(thrown) {
            // The client went away mid-request (mid-body, usually): nobody will read an answer, and
            // it is not the server's failure.
            metrics.connectionClosed("client_closed")
            return Response(status: .badRequest, headers: [.connection: "close"])
        } catch {
            failure = ServerError(.internal, "internal error")
        }
        metrics.error(failure.code)
        let body = ["error": ["code": failure.code.rawValue, "message": failure.message]]
        var response = try OutpostServer.json(body, status: HTTPResponse.Status(code: failure.status))
        if let seconds = failure.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
        // A refused request whose body was not read: the connection cannot carry another request
        // (HTTP would drain the rest first, which a client can make endless). Closed after the answer.
        var close = failure.status == 408 || failure.status == 413
        if !close { close = await !drained(request, context) }
        if close { response.headers[.connection] = "close" }
        return response
    }

    /// Whether the request has no unread body left: none was sent, the route read it, or it is small
    /// (a declared length up to ``drainLimit``) and arrived within the body timeouts now.
    func drained(_ request: Request, _ context: Context) async -> Bool {
        guard !context.body.consumed else { return true }
        guard let declared = request.headers[.contentLength] else { return request.headers[.transferEncoding] == nil }
        guard let length = Int(declared), length <= Self.drainLimit else { return false }
        guard length > 0 else { return true }
        return (try? await BodyReader.collect(request, context: context, limit: Self.drainLimit, limits: limits,
                                              metrics: metrics)) != nil
    }

    /// Errors of a connection that closed or broke under the request: parse errors at an early
    /// end of input, channel and socket errors, cancellation.
    static func isClientGone(_ error: any Error) -> Bool {
        error is HTTPParserError || error is ChannelError || error is IOError || error is CancellationError
    }
}
