import Foundation

/// The sync benchmarks as a compact table: each figure, its baseline from the same run, the ratio
/// and the target (README.md, "Benchmarks").
enum SyncReportTable {
    static func render(_ report: BenchSync.Report) -> String {
        var lines = ["| metric | Outpost | baseline (same run) | ratio | target | result |",
                     "|---|---|---|---|---|---|"]
        func verdict(_ pass: Bool) -> String { pass ? "pass" : "**miss**" }
        func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f ms" : "%.1f ms", value) }
        if let first = report.firstSync {
            lines.append("| first sync, \(first.messages) messages (\(first.ops) ops) | "
                + String(format: "%.0f msg/s (%.2f s) | %.0f msg/s (%.2f s, %d rows) | %.0f%% | ≥ 70%% | ",
                         first.outpostMessagesPerSecond, Stats.median(first.outpostSeconds),
                         first.baselineMessagesPerSecond, Stats.median(first.baselineSeconds), first.rows,
                         first.ratio * 100) + verdict(first.ratio >= 0.7) + " |")
            lines.append(String(format: "| first sync, device peak memory | %.1f MB | | | < 100 MB | ", first.peakRSSMB)
                + verdict(first.peakRSSMB < 100) + " |")
        }
        if let latency = report.latency {
            let end = latency.endToEnd, local = latency.localBaseline
            lines.append("| commit → visible on another device, p50 (\(end.count) runs) | \(ms(end.p50)) | "
                + "\(ms(local.p50)) local | \(String(format: "%.1fx", end.p50 / local.p50)) | < 2 ms | "
                + "\(verdict(end.p50 < 2)) |")
            lines.append("| commit → visible on another device, p99 | \(ms(end.p99)) | \(ms(local.p99)) local | "
                + "\(String(format: "%.1fx", end.p99 / local.p99)) | < 10 ms | \(verdict(end.p99 < 10)) |")
        }
        if let devices = report.devices {
            let all = devices.concurrent, one = devices.alone
            lines.append("| sync round, \(devices.devices) devices concurrently, p99 (\(all.count) rounds, "
                + String(format: "%.0f/s", devices.roundsPerSecond) + ", \(devices.failures) failed) | "
                + "\(ms(all.p99)) (p50 \(ms(all.p50))) | \(ms(one.p99)) (p50 \(ms(one.p50))) one device | "
                + "\(String(format: "%.1fx", all.p99 / one.p99)) | < 50 ms | "
                + "\(verdict(all.p99 < 50 && devices.failures == 0)) |")
        }
        return lines.joined(separator: "\n")
    }
}
