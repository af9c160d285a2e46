/// Runs random scenarios (``ScenarioGenerator``) and, on the first failure, shrinks it
/// (``Shrinker``) to a small scenario that still fails, ready to be written out as a file that
/// `outpost scenario run` replays exactly.
public struct Fuzzer: Sendable {
    public var generator: ScenarioGenerator
    public var seed: UInt64
    public var runs: Int
    /// Live mode: run each scenario with real processes (``LiveWorld``). A live failure is not
    /// shrunk: shrinking replays a scenario hundreds of times, and real time does not replay exactly.
    public var liveBinary: String?

    public init(generator: ScenarioGenerator, seed: UInt64, runs: Int, liveBinary: String? = nil) {
        self.generator = generator
        self.seed = seed
        self.runs = runs
        self.liveBinary = liveBinary
    }

    /// What a fuzz run found.
    public struct Outcome: Sendable {
        public var runs: Int
        /// The first failing scenario, as generated, with its report.
        public var failure: (document: ScenarioDocument, report: ScenarioReport)?
        /// The failing scenario shrunk, with its report.
        public var shrunk: (document: ScenarioDocument, report: ScenarioReport)?
    }

    /// The seed of run `index` (0-based): every run's scenario can be made again on its own.
    public func seed(ofRun index: Int) -> UInt64 {
        seed &* 1_000_003 &+ UInt64(index)
    }

    /// Runs up to ``runs`` scenarios; stops at the first failure and shrinks it when `shrink`.
    public func run(shrink: Bool = true, progress: (Int, ScenarioReport) -> Void = { _, _ in }) throws(ScenarioError) -> Outcome {
        for index in 0..<runs {
            if let failure = try run(index, shrink: shrink, progress: progress) { return failure }
        }
        return Outcome(runs: runs)
    }

    /// Runs scenario `index` alone: `nil` when it passed, else the failure (shrunk when `shrink`).
    public func run(_ index: Int, shrink: Bool = true,
                    progress: (Int, ScenarioReport) -> Void = { _, _ in }) throws(ScenarioError) -> Outcome? {
        let document = generator.generate(seed: seed(ofRun: index))
        let report = try ScenarioRunner(stopAtFirstFailure: true, liveBinary: liveBinary).run(document)
        progress(index, report)
        guard !report.passed else { return nil }
        var outcome = Outcome(runs: index + 1, failure: (document, report))
        if shrink, liveBinary == nil { outcome.shrunk = try Shrinker().shrink(document) }
        return outcome
    }
}
