import Replica
import Wire

/// A server or admin failure with a stable code (Protocol/SERVER_API.md) and its HTTP status.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public let code: Code
    public let message: String
    /// Seconds the client should wait before trying again (the `Retry-After` header), if known.
    public let retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The HTTP status an endpoint answers with: the code's.
    public var status: Int { code.status }

    public var description: String { "\(message) [\(code)]" }

    static func unauthorized(_ message: String = "a valid device token is required") -> ServerError {
        ServerError(.unauthorized, message)
    }

    static func badRequest(_ message: String) -> ServerError { ServerError(.badRequest, message) }

    static let codeInvalid = ServerError(.codeInvalid, "the enrollment code is unknown, used or expired")

    static func notFound(_ message: String) -> ServerError { ServerError(.notFound, message) }

    static func invalidArgument(_ message: String) -> ServerError { ServerError(.invalidArgument, message) }

    /// A frame that does not decode, in an HTTP body: its wire code, `413` when too large.
    static func frame(_ error: WireError) -> ServerError { ServerError(Code(error.code), "\(error)") }

    static func storage(_ error: any Error) -> ServerError { ServerError(.storageError, "storage error: \(error)") }

    /// A replica's refusal as the server answers it (see `Code.init(_: ReplicaError.Code)`).
    static func replica(_ error: ReplicaError) -> ServerError { ServerError(Code(error.code), error.message) }
}
