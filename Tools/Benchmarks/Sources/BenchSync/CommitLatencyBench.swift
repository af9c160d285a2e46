import BenchSupport
import Foundation
import Replica
import SyncClient

/// One new message, from its commit to visible in another device's inbox query.
///
/// A real `outpost server` with the demo brand; two devices of two users (dana and sam), both live
/// over WebSocket in this process. Each probe: dana's device commits a reply and pushes it at once;
/// the server validates and commits it and pushes it to sam's device, which applies it; after each
/// apply sam's device runs its inbox query, and the probe ends when the query's first row is the
/// conversation with the probe's text as its preview. So the figure counts more than "server
/// commit to visible": it also holds the hop from dana's device to the server.
///
/// Baseline in the same run: the same reply and inbox query on one replica with no network.
struct CommitLatencyBench {
    let probes: Int
    let warmup = 20

    struct Result: Codable {
        /// Milliseconds from dana's commit to sam's inbox showing it.
        var endToEnd: Stats.Summary
        /// Milliseconds for a local reply and the inbox query showing it (no network).
        var localBaseline: Stats.Summary
    }

    func run() async throws(BenchError) -> Result {
        let scratch = NSTemporaryDirectory() + "outpost-bench-latency-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let data = scratch + "/server"
        try ChildProcess.run(["admin", "--data", data, "demo"])
        let server = try ServerChild(data: data)
        defer { server.stop() }
        try await server.ready()
        let dana = try await LiveDevice.enroll(user: "dana", server: server, data: data, folder: scratch)
        let sam = try await LiveDevice.enroll(user: "sam", server: server, data: data, folder: scratch)
        defer { dana.stop(); sam.stop() }
        try await dana.start()
        try await sam.start()

        guard let conversation = try Self.wrap({ try dana.replica.inbox().first?.id }) else {
            throw BenchError("the demo inbox is empty")
        }
        var samples: [Double] = []
        for probe in 0..<(warmup + probes) {
            let text = "Probe \(probe) \(UUID().uuidString)"
            let visible = sam.watch { replica in
                guard let row = try? replica.inbox(InboxFilter(limit: 1)).first else { return false }
                return row.id == conversation && row.preview.contains(text)
            }
            let start = ContinuousClock.now
            _ = try Self.wrap { try dana.replica.reply(to: conversation, text: text) }
            dana.pushNow()
            guard await visible.value else { throw BenchError("probe \(probe) never became visible") }
            if probe >= warmup { samples.append((ContinuousClock.now - start).milliseconds) }
            try? await Task.sleep(for: .milliseconds(2))
        }

        var local: [Double] = []
        for probe in 0..<(warmup + probes) {
            let text = "Local \(probe) \(UUID().uuidString)"
            let start = ContinuousClock.now
            _ = try Self.wrap { try sam.replica.reply(to: conversation, text: text) }
            let row = try Self.wrap { try sam.replica.inbox(InboxFilter(limit: 1)).first }
            guard row?.preview.contains(text) == true else { throw BenchError("local reply not in the inbox") }
            if probe >= warmup { local.append((ContinuousClock.now - start).milliseconds) }
        }
        return Result(endToEnd: Stats.Summary(samples), localBaseline: Stats.Summary(local))
    }

    static func wrap<T>(_ body: () throws -> T) throws(BenchError) -> T {
        do { return try body() } catch { throw BenchError("\(error)") }
    }
}
