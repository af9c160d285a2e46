/// A failed request to the server's JSON endpoints: the server's own error code
/// (Protocol/SERVER_API.md, "Errors"), or one of the client's below when no answer came.
public struct ServerHTTPError: Error, Sendable, CustomStringConvertible {
    /// The server's code (`code_invalid`, `unauthorized`, `not_found`…) or one of the client's.
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    /// No connection to the server.
    public static let unreachable = "unreachable"
    /// The server answered something that is not its JSON.
    public static let badResponse = "bad_response"
    /// The server's address is not a URL.
    public static let usage = "usage"
    /// A request that cannot be encoded.
    public static let invalidArgument = "invalid_argument"
}
