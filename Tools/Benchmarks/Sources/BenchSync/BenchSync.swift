import BenchSupport
import Foundation

/// The sync benchmarks (targets: README.md, "Benchmarks"), each beside a baseline from the same run:
///
///     bench-sync [first-sync] [latency] [devices] [--json FILE]    (no part named: all three)
///
/// - `first-sync`: a new device's first sync of the demo brand over loopback, real processes;
///   messages per second against the plain SQLite apply of the same rows (target ≥ 50%), and the
///   device process's peak memory (target < 100 MB).
/// - `latency`: one new message from its commit to visible in another device's inbox query,
///   p50 and p99 (targets 2 ms and 10 ms); baseline: the same reply and query without a network.
/// - `devices`: 100 devices syncing concurrently against one server, p99 round (target < 50 ms);
///   baseline: one device alone.
///
/// Environment: OUTPOST_BENCH_SYNC_MESSAGES (100000), OUTPOST_BENCH_SYNC_RUNS (3 first syncs),
/// OUTPOST_BENCH_SYNC_PROBES (1000), OUTPOST_BENCH_SYNC_DEVICES (100), OUTPOST_BENCH_SYNC_SECONDS (30),
/// OUTPOST_BENCH_CACHE (where the server's demo brand is kept between runs).
@main
struct BenchSync {
    struct Report: Codable {
        var firstSync: FirstSyncBench.Result?
        var latency: CommitLatencyBench.Result?
        var devices: ConcurrentDevicesBench.Result?
    }

    static func main() async {
        do {
            try await run(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("bench-sync: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: [String]) async throws(BenchError) {
        if arguments.first == "measure-child" { return try ChildProcess.measureChild(Array(arguments.dropFirst())) }
        var parts: Set<String> = [], json: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "first-sync", "latency", "devices": parts.insert(argument)
            case "--json": json = rest.popFirst()
            case "--help", "-h": usage(status: 0)
            default: usage(status: 2)
            }
        }
        if parts.isEmpty { parts = ["first-sync", "latency", "devices"] }
        let environment = ProcessInfo.processInfo.environment
        func setting(_ name: String, _ fallback: Int) -> Int { environment[name].flatMap(Int.init) ?? fallback }
        let cache = environment["OUTPOST_BENCH_CACHE"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.cache")
                .standardized.path

        var report = Report()
        if parts.contains("first-sync") {
            report.firstSync = try await FirstSyncBench(messages: setting("OUTPOST_BENCH_SYNC_MESSAGES", 100_000),
                                                        runs: setting("OUTPOST_BENCH_SYNC_RUNS", 3), cache: cache).run()
        }
        if parts.contains("latency") {
            report.latency = try await CommitLatencyBench(probes: setting("OUTPOST_BENCH_SYNC_PROBES", 1_000)).run()
        }
        if parts.contains("devices") {
            report.devices = try await ConcurrentDevicesBench(devices: setting("OUTPOST_BENCH_SYNC_DEVICES", 100),
                                                              brands: 10,
                                                              seconds: setting("OUTPOST_BENCH_SYNC_SECONDS", 30)).run()
        }
        print(SyncReportTable.render(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do { try encoder.encode(report).write(to: URL(fileURLWithPath: json)) } catch {
                throw BenchError("cannot write \(json): \(error)")
            }
        }
    }

    static func usage(status: Int32) -> Never {
        let text = "usage: bench-sync [first-sync] [latency] [devices] [--json FILE]\n"
        FileHandle.standardError.write(Data(text.utf8))
        exit(status)
    }
}
