import BenchSupport
import Foundation

/// First sync of a new device, end to end over loopback: a real `outpost server` holding the
/// demo brand with `messages` messages, and a real `outpost sync` process enrolling fresh and
/// syncing until caught up. Its messages per second are divided by the plain SQLite apply of the
/// same rows (``PlainApplyBaseline``) in the same run; its peak memory comes from `wait4`.
struct FirstSyncBench {
    let messages: Int
    let runs: Int
    let cache: String

    struct Result: Codable {
        var messages: Int
        var ops: Int
        var rows: Int
        var outpostSeconds: [Double]
        var baselineSeconds: [Double]
        var peakRSSBytes: [Int]
        var outpostMessagesPerSecond: Double
        var baselineMessagesPerSecond: Double
        /// Outpost's messages per second over the baseline's (target ≥ 0.5).
        var ratio: Double
        var peakRSSMB: Double
    }

    func run() async throws(BenchError) -> Result {
        let data = try serverData()
        let server = try ServerChild(data: data)
        defer { server.stop() }
        try await server.ready()
        let serverMessages = try SQLiteConnection(path: data + "/brands/northwind.sqlite", readOnly: true)
            .int("SELECT count(*) FROM messages")

        let scratch = NSTemporaryDirectory() + "outpost-bench-sync-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var outpost: [Double] = [], baseline: [Double] = [], memory: [Int] = []
        var ops = 0, rows = 0
        for run in 0..<runs {
            let device = "\(scratch)/device-\(run).sqlite"
            try ChildProcess.enroll(user: "dana", data: data, server: server.url, replica: device)
            let measured = try ChildProcess.measure(["sync", "--replica", device])
            let synced = try SQLiteConnection(path: device, readOnly: true)
            let got = try synced.int("SELECT count(*) FROM messages")
            guard got == serverMessages else {
                throw BenchError("the device has \(got) messages, the server \(serverMessages)")
            }
            ops = Int(try synced.int("SELECT count(*) FROM journal"))
            outpost.append(measured.seconds)
            memory.append(measured.peakRSSBytes)

            let plain = try PlainApplyBaseline(source: device)
            rows = plain.rowCount
            baseline.append(try plain.run(target: "\(scratch)/plain-\(run).sqlite", batch: 2_000))
            logToStandardError(String(format: "first sync run %d: outpost %.2f s (%.0f MB peak), plain SQLite %.2f s",
                                      run + 1, measured.seconds, Double(measured.peakRSSBytes) / 1e6,
                                      baseline.last ?? 0))
            try? FileManager.default.removeItem(atPath: "\(scratch)/plain-\(run).sqlite")
        }
        let outpostRate = Double(serverMessages) / Stats.median(outpost)
        let baselineRate = Double(serverMessages) / Stats.median(baseline)
        return Result(messages: Int(serverMessages), ops: ops, rows: rows, outpostSeconds: outpost,
                      baselineSeconds: baseline, peakRSSBytes: memory, outpostMessagesPerSecond: outpostRate,
                      baselineMessagesPerSecond: baselineRate, ratio: outpostRate / baselineRate,
                      peakRSSMB: Double(memory.max() ?? 0) / 1e6)
    }

    /// The server data folder with the demo brand, built once per size and seed and then reused.
    private func serverData() throws(BenchError) -> String {
        let folder = "\(cache)/sync-\(messages)/server"
        if FileManager.default.fileExists(atPath: folder + "/brands/northwind.sqlite") { return folder }
        try? FileManager.default.removeItem(atPath: "\(cache)/sync-\(messages)")
        logToStandardError("building the server's demo brand with \(messages) messages (once)…")
        try ChildProcess.run(["admin", "--data", folder, "demo", "--messages", "\(messages)"])
        return folder
    }
}
