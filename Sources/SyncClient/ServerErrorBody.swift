public import Foundation
public import Wire

/// The JSON body of every HTTP error the server sends (Protocol/SERVER_API.md):
/// `{"error": {"code": "…", "message": "…"}}`.
public struct ServerErrorBody: Decodable, Sendable {
    public struct Detail: Decodable, Sendable {
        public var code: String
        public var message: String
    }

    public var error: Detail

    /// The body as an error frame (retryable for 5xx and 429), or `nil` when `data` is not such a body.
    public static func frame(from data: Data, status: Int) -> ErrorFrame? {
        guard let body = try? JSONDecoder().decode(ServerErrorBody.self, from: data) else { return nil }
        return ErrorFrame(code: ErrorFrame.Code(rawValue: body.error.code), message: body.error.message, retryable: status >= 500 || status == 429)
    }
}
