import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutpostTestSupport
import Testing

/// `outpost demo` as a newcomer runs it: a real process, both UIs over HTTP, then Ctrl-C.
@Suite("outpost demo (live)", .timeLimit(.minutes(5)))
struct LiveDemoProcessTests {
    static func get(_ url: String) async -> (status: Int, body: String)? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("serves two synced inboxes, prints their addresses, and stops cleanly on SIGINT")
    func demo() async throws {
        let home = try Outpost()
        defer { home.remove() }
        let data = home.directory.appendingPathComponent("demo-data")
        let base = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let process = try await home.start(["demo", "--data", data.path, "--messages", "200",
                                            "--server-port", "\(base)", "--ui-port", "\(base + 1)"], replica: false)
        defer { process.send(SIGKILL) }

        for port in [base + 1, base + 2] {
            try await eventually("the UI on port \(port) showing the synced inbox") {
                guard let page = await Self.get("http://127.0.0.1:\(port)/inbox") else { return false }
                return page.status == 200 && page.body.contains("class=\"row kind-")
            }
        }

        process.send(SIGINT)
        let stopped = try await process.exited(within: .seconds(15))
        #expect(stopped, "stopped within 15 s of SIGINT")
        if !stopped { await process.kill9() }
        let result = try await process.finish()
        if stopped { #expect(result.status == 0, "\(result.stderr)") }
        #expect(result.stdout.contains("http://127.0.0.1:\(base + 1)/")
                && result.stdout.contains("http://127.0.0.1:\(base + 2)/"), "\(result.stdout)")
        #expect(result.stdout.contains("Work offline"))
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("devices/dana-tablet.sqlite").path))
    }
}
