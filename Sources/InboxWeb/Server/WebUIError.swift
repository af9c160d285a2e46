public import Hummingbird
import Replica

/// A request the UI cannot serve: an HTTP status and a sentence for the person using it.
public struct WebUIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ what: String) -> WebUIError { WebUIError(.notFound, "There is no \(what).") }

    /// The status for a replica error: unknown things are 404, refused input 400 or 409.
    init(_ error: ReplicaError) {
        let status: HTTPResponse.Status = switch error.code {
        case .unknownConversation, .unknownPartner, .unknownMessage, .noDraft: .notFound
        case .draftConflict, .readOnlyConversation, .partnerLeft: .conflict
        case .invalidArgument, .invalidOp: .badRequest
        default: .internalServerError
        }
        self.init(status, error.message)
    }
}

/// Turns every error of a UI route into an HTML error page (or, for the page's own scripts, plain
/// text) with the right status, so nothing leaks as a raw error. The page is rendered by `page`
/// without a CSRF token or form (``WebUI/errorFrame()``); ``SecurityHeadersMiddleware``, outside
/// this one, adds the security headers.
struct ErrorPageMiddleware<Context: RequestContext>: RouterMiddleware {
    let page: @Sendable (WebUIError) async -> String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure: WebUIError = switch error {
            case let error as WebUIError: error
            case let error as ReplicaError: WebUIError(error)
            case let error as HTTPError: WebUIError(error.status, error.body ?? error.status.reasonPhrase)
            default: WebUIError(.internalServerError, "Something went wrong: \(error)")
            }
            if request.headers[.xCSRFToken] != nil || request.headers[.xOutpostLive] != nil {
                return Response(status: failure.status, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: failure.message)))
            }
            return WebUI.html(await page(failure), status: failure.status)
        }
    }
}

/// The error page's model.
struct ErrorPage: Sendable {
    var heading: String
    var message: String

    init(_ error: WebUIError) {
        heading = error.status.code == 404 ? "Not found" : "That did not work"
        message = error.message
    }
}
