import Foundation
import WireBenchSupport

/// The wire benchmarks' helper, outside package-benchmark:
///
///     bench-wire sizes [--json] [--corpus FILE]   the size figures (bytes per message, per read,
///                                                 per sync round); FILE: English prose, one
///                                                 paragraph a line (Tools/Benchmarks/wire_corpus.py)
///     bench-wire loop STEP [N]                    run one timed step N times; p50 by ContinuousClock
///                                                 (for a quick look or a profiler; not the benchmark)
///
/// STEP is one of `encode.codec`, `decode.codec`, … (see `WireStep`).
@main
struct BenchWire {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let command = arguments.first else { usage() }
        arguments.removeFirst()
        switch command {
        case "sizes":
            var json = false
            var corpusPath: String?
            while let argument = arguments.first {
                arguments.removeFirst()
                switch argument {
                case "--json": json = true
                case "--corpus": corpusPath = arguments.isEmpty ? nil : arguments.removeFirst()
                default: usage()
                }
            }
            let corpus = try corpusPath.map { try String(contentsOfFile: $0, encoding: .utf8) }
            let figures = try WireSizes.figures(corpus: corpus)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(figures), as: UTF8.self))
            } else {
                print(WireSizes.table(figures))
            }
        case "loop":
            guard let name = arguments.first, let step = WireStep(rawValue: name) else { usage() }
            let count = arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20
            let workload = try WireWorkload(ops: WireData.timedBatch().ops)
            var times: [Duration] = []
            for _ in 0..<count {
                let start = ContinuousClock.now
                _ = try workload.run(step)
                times.append(ContinuousClock.now - start)
            }
            times.sort()
            let p50 = times[times.count / 2]
            let ms = Double(p50.components.attoseconds) / 1e15 + Double(p50.components.seconds) * 1e3
            print("\(step.rawValue): \(workload.opCount) ops, p50 \(String(format: "%.2f", ms)) ms, "
                + "\(Int(Double(workload.opCount) / ms * 1000)) ops/s over \(count) runs")
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("""
            usage: bench-wire sizes [--json] [--corpus FILE]
                   bench-wire loop STEP [N]   STEP: \(WireStep.allCases.map(\.rawValue).joined(separator: ", "))

            """.utf8))
        exit(2)
    }
}
