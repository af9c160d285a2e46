import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SyncClient

/// The server's JSON endpoints over HTTP, for the CLI (`enroll`, `partner-api`): JSON requests,
/// with a bearer token when there is one; the server's JSON errors become one-line CLI errors
/// with their codes.
struct ServerHTTPClient {
    let server: String
    let token: String?
    var timeout: TimeInterval = 30

    func get<Answer: Decodable>(_ path: String, as type: Answer.Type) async throws(CLIError) -> Answer {
        try decode(type, await send("GET", path, body: nil, idempotencyKey: nil))
    }

    func post<Answer: Decodable>(_ path: String, _ body: some Encodable, idempotencyKey: String?,
                                 as type: Answer.Type) async throws(CLIError) -> Answer {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch { throw CLIError("cannot encode the request: \(error)") }
        return try decode(type, await send("POST", path, body: data, idempotencyKey: idempotencyKey))
    }

    private func send(_ method: String, _ path: String, body: Data?, idempotencyKey: String?)
        async throws(CLIError) -> Data {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + path) else { throw CLIError("bad server address \(server)", code: "usage") }
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
            throw CLIError("cannot reach \(server): \(error.localizedDescription)", code: "unreachable")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            if let failure = ServerErrorBody.frame(from: data, status: status) {
                throw CLIError(failure.message, code: failure.code)
            }
            throw CLIError("the server answered \(status)", code: "bad_response")
        }
        return data
    }

    private func decode<Answer: Decodable>(_ type: Answer.Type, _ data: Data) throws(CLIError) -> Answer {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CLIError("the server's answer cannot be read: \(error)", code: "bad_response")
        }
    }
}
