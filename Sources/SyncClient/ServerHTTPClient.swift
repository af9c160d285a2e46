public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server's JSON endpoints over HTTP (Protocol/SERVER_API.md): JSON requests, with a bearer
/// token when there is one. The server's JSON errors come back as ``ServerHTTPError`` with their codes.
public struct ServerHTTPClient: Sendable {
    public let server: String
    public let token: String?
    public var timeout: TimeInterval

    public init(server: String, token: String?, timeout: TimeInterval = 30) {
        self.server = server
        self.token = token
        self.timeout = timeout
    }

    public func get<Answer: Decodable>(_ path: String, as type: Answer.Type) async throws(ServerHTTPError) -> Answer {
        try decode(type, await send("GET", path, body: nil, idempotencyKey: nil))
    }

    public func post<Answer: Decodable>(_ path: String, _ body: some Encodable, idempotencyKey: String?,
                                        as type: Answer.Type) async throws(ServerHTTPError) -> Answer {
        let data: Data
        do {
            data = try JSONEncoder().encode(body)
        } catch {
            throw ServerHTTPError(code: ServerHTTPError.invalidArgument, message: "cannot encode the request: \(error)")
        }
        return try decode(type, await send("POST", path, body: data, idempotencyKey: idempotencyKey))
    }

    private func send(_ method: String, _ path: String, body: Data?, idempotencyKey: String?)
        async throws(ServerHTTPError) -> Data {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + path) else {
            throw ServerHTTPError(code: ServerHTTPError.usage, message: "bad server address \(server)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw ServerHTTPError(code: ServerHTTPError.unreachable,
                                  message: "cannot reach \(server): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            if let failure = ServerErrorBody.frame(from: data, status: status) {
                throw ServerHTTPError(code: failure.code.rawValue, message: failure.message)
            }
            throw ServerHTTPError(code: ServerHTTPError.badResponse, message: "the server answered \(status)")
        }
        return data
    }

    private func decode<Answer: Decodable>(_ type: Answer.Type, _ data: Data) throws(ServerHTTPError) -> Answer {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ServerHTTPError(code: ServerHTTPError.badResponse, message: "the server's answer cannot be read: \(error)")
        }
    }
}
