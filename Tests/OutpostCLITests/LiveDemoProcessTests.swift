import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `outpost demo` as a newcomer runs it: a real process, both UIs over HTTP, then Ctrl-C.
@Suite("outpost demo (live)")
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
        let binary = try #require(Outpost.binary)
        let home = try Outpost()
        defer { home.remove() }
        let data = home.directory.appendingPathComponent("demo-data")
        let base = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let process = Process()
        process.executableURL = binary
        process.arguments = ["demo", "--data", data.path, "--messages", "200", "--server-port", "\(base)",
                             "--ui-port", "\(base + 1)"]
        let output = home.directory.appendingPathComponent("demo.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }

        for port in [base + 1, base + 2] {
            var synced = false
            for _ in 0..<150 where !synced {
                if let page = await Self.get("http://127.0.0.1:\(port)/inbox"), page.status == 200,
                   page.body.contains("class=\"row kind-") {
                    synced = true
                } else {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(synced, "the UI on port \(port) shows the synced inbox")
        }
        let printed = try String(contentsOf: output, encoding: .utf8)
        #expect(printed.contains("http://127.0.0.1:\(base + 1)/") && printed.contains("http://127.0.0.1:\(base + 2)/"))
        #expect(printed.contains("Work offline"))

        kill(process.processIdentifier, SIGINT)
        for _ in 0..<150 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "stopped within 15 s of SIGINT")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        try handle.close()
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("devices/dana-tablet.sqlite").path))
    }
}
