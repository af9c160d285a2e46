/// A server or admin failure with a stable code (Protocol/SERVER_API.md) and its HTTP status.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code: `unauthorized`, `code_invalid`, `unknown_brand`…
    public let code: String
    public let message: String
    /// The HTTP status an endpoint answers with.
    public let status: Int

    public init(_ code: String, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { "\(message) [\(code)]" }

    static func unauthorized(_ message: String = "a valid device token is required") -> ServerError {
        ServerError("unauthorized", message, status: 401)
    }

    static func badRequest(_ message: String) -> ServerError { ServerError("bad_request", message, status: 400) }

    static let codeInvalid = ServerError("code_invalid", "the enrollment code is unknown, used or expired", status: 403)

    static func notFound(_ message: String) -> ServerError { ServerError("not_found", message, status: 404) }

    static func storage(_ error: any Error) -> ServerError {
        ServerError("storage_error", "storage error: \(error)", status: 503)
    }
}
