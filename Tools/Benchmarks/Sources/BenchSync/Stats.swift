/// Percentiles of measured samples (nearest rank).
enum Stats {
    static func percentile(_ samples: [Double], _ p: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func median(_ samples: [Double]) -> Double { percentile(samples, 50) }

    /// p50, p99 and the largest sample, in the samples' unit.
    struct Summary: Codable {
        var count: Int
        var p50: Double
        var p99: Double
        var max: Double

        init(_ samples: [Double]) {
            count = samples.count
            p50 = Stats.percentile(samples, 50)
            p99 = Stats.percentile(samples, 99)
            max = samples.max() ?? .nan
        }
    }
}
