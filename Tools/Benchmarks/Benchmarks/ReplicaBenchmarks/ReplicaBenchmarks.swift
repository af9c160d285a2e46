import BenchSupport
import Benchmark
import Foundation

/// Outpost's read and write paths on a large demo replica, each beside the same SQL through the
/// plain SQLite C API on the same file, in the same run; the targets are in README.md, "Benchmarks".
///
/// Names are `<metric>.<side>`: `inbox.outpost` next to `inbox.sqlite`. Each benchmark runs in a
/// process of its own; its setup opens the cached replica (built on first use) and prepares the
/// workload, so only the operation itself is measured. `Tools/benchmark.sh` runs them all and
/// prints the ratios.
///
/// Environment: `OUTPOST_BENCH_MESSAGES` (default 1,000,000), `OUTPOST_BENCH_SEED`,
/// `OUTPOST_BENCH_CACHE`, `OUTPOST_BENCH_SECONDS` (time per benchmark, default 3),
/// `OUTPOST_BENCH_MALLOCS=1` (also count mallocs per operation: the interposer's counting slows
/// malloc-heavy code, so the timing targets are judged on a run without it).
let benchmarks: @Sendable () -> Void = {
    let environment = ProcessInfo.processInfo.environment
    let seconds = environment["OUTPOST_BENCH_SECONDS"].flatMap(Int64.init) ?? 3
    let mallocs: [BenchmarkMetric] = environment["OUTPOST_BENCH_MALLOCS"] == "1" ? [.mallocCountTotal] : []

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput] + mallocs,
        timeUnits: .microseconds,
        warmupIterations: 20,
        maxDuration: .seconds(seconds),
        maxIterations: 20_000
    )

    for metric in Metric.allCases {
        for side in Side.allCases {
            Benchmark("\(metric.rawValue).\(side.rawValue)") { (benchmark: Benchmark, workload: Workload) in
                workload.prepareNext()
                benchmark.startMeasurement()
                do {
                    blackHole(try workload.run())
                } catch {
                    benchmark.error("\(metric.rawValue).\(side.rawValue) failed: \(error)")
                }
            } setup: {
                let workload = try Workloads.make(metric, side, config: .fromEnvironment())
                logToStandardError("\(metric.rawValue).\(side.rawValue): \(workload.detail)")
                return workload
            } teardown: {
                if metric.writes {
                    ReplicaFixture.removeDatabase(at: BenchConfig.fromEnvironment().scratchPath(
                        "\(metric.rawValue)-\(side.rawValue)"))
                }
            }
        }
    }
}
