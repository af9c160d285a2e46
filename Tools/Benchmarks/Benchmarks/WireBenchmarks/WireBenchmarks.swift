import Benchmark
import Foundation
import WireBenchSupport

/// Outpost's wire codec on a realistic 10,000-op batch (the first ops of a 10,000-message demo
/// history, built in memory: no cached replica needed), beside raw swift-protobuf and raw zlib on
/// the same bytes, in the same run; the targets are in README.md, "Benchmarks".
///
/// Names are `wire.<direction>.<side>`: `wire.encode.codec` is `FrameCodec.encode`,
/// `wire.encode.protobuf-zlib` the raw baseline doing the same protobuf encode and deflate; see
/// `WireStep` for each. Each benchmark runs in a process of its own; its setup builds and
/// cross-checks the batch (the baselines must see exactly the codec's bytes), so only the step is
/// measured. `Tools/benchmark.sh --filter 'wire.*'` runs just these and prints the ratios.
///
/// Environment: `OUTPOST_BENCH_SECONDS` (time per benchmark, default 3), `OUTPOST_BENCH_MALLOCS=1`
/// (also count mallocs per operation), `OUTPOST_WIRE_CORPUS` (a prose file: the batch's message
/// texts become ~340 B of prose instead of the demo's templated sentences).
let benchmarks: @Sendable () -> Void = {
    let environment = ProcessInfo.processInfo.environment
    let seconds = environment["OUTPOST_BENCH_SECONDS"].flatMap(Int64.init) ?? 3
    let mallocs: [BenchmarkMetric] = environment["OUTPOST_BENCH_MALLOCS"] == "1" ? [.mallocCountTotal] : []

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput] + mallocs,
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(seconds),
        maxIterations: 2_000
    )

    for step in WireStep.allCases {
        Benchmark(step.benchmarkName) { (benchmark: Benchmark, workload: WireWorkload) in
            benchmark.startMeasurement()
            do {
                blackHole(try workload.run(step))
            } catch {
                benchmark.error("\(step.benchmarkName) failed: \(error)")
            }
        } setup: {
            try WireWorkload(ops: WireData.timedBatch().ops)
        }
    }
}
