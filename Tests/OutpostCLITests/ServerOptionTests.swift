import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("outpost server: the limit options", .timeLimit(.minutes(5)))
struct ServerOptionTests {
    @Test("an out-of-range limit or a malformed delivery option is a usage error and creates nothing", arguments: [
        ["--hello-timeout", "0"], ["--hello-timeout", "3601"], ["--max-connections", "0"],
        ["--max-connections-per-device", "0"], ["--max-enroll-failures", "0"], ["--max-connections", "many"],
        ["--smtp", "localhost"], ["--smtp", "localhost:0"], ["--smtp", "[::1]25"], ["--smtp", "a b:25"],
        ["--smtp", "relay:25", "--mail-dir", "mail"], ["--hold-mail", "--smtp", "relay:25"], ["--mail-dir", ""],
        ["--mail-from", "not an address"], ["--mail-from", "jürgen@example.com"], ["--delivery-attempts", "0"],
        ["--delivery-attempts", "101"], ["--delivery-backoff", "0"], ["--delivery-backoff", "-1"],
        ["--smtp-timeout", "3601"],
    ])
    func outOfRange(option: [String]) async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let data = outpost.directory.appendingPathComponent("server-data").path
        let result = try await outpost.run(["server", "--data", data] + option, replica: false)
        #expect(result.status == 64)
        #expect(result.stderr.contains(option[0]), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data))
    }

    @Test("--max-enroll-failures reaches the running server: the next enroll gets rate_limited")
    func enrollLimit() async throws {
        let server = try ServerProcess()
        defer { server.admin.remove() }
        _ = try await server.adminRun(["brand", "add", "northwind", "--name", "Northwind"])
        _ = try await server.adminRun(["user", "add", "--brand", "northwind", "dana", "--name", "Dana",
                                 "--email", "dana@northwind.example"])
        try await server.start(options: ["--max-enroll-failures", "2", "--hello-timeout", "2.5",
                                         "--max-connections", "10", "--max-connections-per-device", "1"])
        defer { server.stop() }
        let device = try Outpost()
        defer { device.remove() }
        for guess in ["aaaaa-aaaaa-aaaaa-aaaaa", "bbbbb-bbbbb-bbbbb-bbbbb"] {
            let result = try await device.run(["enroll", "--server", server.url, "--code", guess, "--name", "x"], replica: false)
            #expect(result.stderr.contains("code_invalid"), "\(result.stderr)")
        }
        let code = try await server.adminRun(["enroll-code", "--brand", "northwind", "--user", "dana"])
            .split(separator: "\n").last.map(String.init) ?? ""
        let limited = try await device.run(["enroll", "--server", server.url, "--code", code, "--name", "x"], replica: false)
        #expect(limited.status == 1)
        #expect(limited.stderr.contains("rate_limited"), "\(limited.stderr)")
        let (metrics, _) = try await URLSession.shared.data(from: try #require(URL(string: server.url + "/metrics")))
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains(#"outpost_errors_total{code="rate_limited",direction="sent"} 1"#), "\(text)")
        #expect(text.contains("outpost_sync_sockets 0"))
    }
}
