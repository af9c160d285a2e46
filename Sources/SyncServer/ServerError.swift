import Wire

/// A server or admin failure with a stable code (Protocol/SERVER_API.md) and its HTTP status.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code: `unauthorized`, `code_invalid`, `unknown_brand`…
    public let code: String
    public let message: String
    /// The HTTP status an endpoint answers with.
    public let status: Int
    /// Seconds the client should wait before trying again (the `Retry-After` header), if known.
    public let retryAfterSeconds: Int?

    public init(_ code: String, _ message: String, status: Int = 400, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(message) [\(code)]" }

    static func unauthorized(_ message: String = "a valid device token is required") -> ServerError {
        ServerError("unauthorized", message, status: 401)
    }

    static func badRequest(_ message: String) -> ServerError { ServerError("bad_request", message, status: 400) }

    static let codeInvalid = ServerError("code_invalid", "the enrollment code is unknown, used or expired", status: 403)

    static func notFound(_ message: String) -> ServerError { ServerError("not_found", message, status: 404) }

    /// A frame that does not decode, in an HTTP body: its wire code, `413` when too large.
    static func frame(_ error: WireError) -> ServerError {
        ServerError(error.code, "\(error)", status: error.code == "frame_too_large" ? 413 : 400)
    }

    static func storage(_ error: any Error) -> ServerError {
        ServerError("storage_error", "storage error: \(error)", status: 503)
    }
}
