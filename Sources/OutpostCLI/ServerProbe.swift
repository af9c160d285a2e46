import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a server's `/healthz`, with a short timeout: is the server reachable from here?
enum ServerProbe {
    static func isOnline(_ baseURL: String, timeout: TimeInterval = 1.5) async -> Bool {
        guard let url = URL(string: baseURL.hasSuffix("/") ? baseURL + "healthz" : baseURL + "/healthz") else {
            return false
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            return (response as? HTTPURLResponse)?.statusCode == 200
        } catch {
            return false
        }
    }
}
