import Foundation
import Scenario
import Testing

/// The CI fuzz budget: 1,000 seeded random scenarios of 3–5 devices with 10 random steps each,
/// in 20 slices. Every invariant must hold after every step, and every run must end
/// converged. OUTPOST_FUZZ_RUNS and OUTPOST_FUZZ_STEPS set a longer run (Protocol/SCENARIOS.md,
/// "Release fuzzing"); a failure is shrunk and printed as a scenario file to replay.
@Suite("Scenario fuzz budget")
struct ScenarioFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let runs = Int(environment["OUTPOST_FUZZ_RUNS"] ?? "") ?? 1_000
    static let steps = Int(environment["OUTPOST_FUZZ_STEPS"] ?? "") ?? 10
    static let seed = UInt64(environment["OUTPOST_FUZZ_SEED"] ?? "") ?? 20_270_115
    static let slices = 20

    /// The fuzz runs are long synchronous work: they go to one serial queue of their own, so they
    /// never hold the threads that the other (async, time-limited) tests need, and take one core.
    static let queue = DispatchQueue(label: "outpost.scenario-fuzz")

    @Test("random scenarios keep every invariant", arguments: 0..<slices)
    func slice(_ index: Int) async throws {
        let count = Self.runs / Self.slices + (index < Self.runs % Self.slices ? 1 : 0)
        let fuzzer = Fuzzer(generator: ScenarioGenerator(devices: 3...5, steps: Self.steps),
                            seed: Self.seed &+ UInt64(index) &* 0x1_0000, runs: count)
        let outcome = try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try fuzzer.run() }) }
        }
        if let shrunk = outcome.shrunk {
            Issue.record("""
                fuzz slice \(index) failed at run \(outcome.runs): \(shrunk.report.failures.map(\.description).joined(separator: "\n"))
                shrunk scenario (save it and run `outpost scenario run FILE --trace`):
                \(ScenarioWriter.yaml(shrunk.document))
                """)
        }
        #expect(outcome.runs == count)
    }
}
