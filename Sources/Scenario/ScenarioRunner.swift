import Causality
import InboxModel
import Replica

/// Runs scenarios in the deterministic simulator: the same document and seed give the same run,
/// trace and digests on every machine.
///
/// After every step the invariants of DESIGN.md §4 are checked on the replicas the step touched
/// (``InvariantChecker``).
public struct ScenarioRunner: Sendable {
    public var seed: UInt64?
    public var trace: Bool
    /// Stop at the first failing step (the fuzzer's and shrinker's mode).
    public var stopAtFirstFailure: Bool

    public init(seed: UInt64? = nil, trace: Bool = false, stopAtFirstFailure: Bool = false) {
        self.seed = seed
        self.trace = trace
        self.stopAtFirstFailure = stopAtFirstFailure
    }

    /// Runs `document`; `file` names it in the report. Throws only when the simulator itself
    /// cannot go on (a replica file cannot be made); everything the scenario finds is in the report.
    public func run(_ document: ScenarioDocument, file: String? = nil) throws(ScenarioError) -> ScenarioReport {
        let seed = seed ?? document.seed ?? 1
        let simulator = try Simulator(document: document, seed: seed, trace: trace)
        var checker = InvariantChecker()
        var failures = try invariants(simulator, &checker, step: 0, line: nil)
        var stepsRun = 0
        for (index, step) in document.steps.enumerated() where failures.isEmpty || !stopAtFirstFailure {
            simulator.trace.add(0, "step \(index + 1)" + (step.line.map { " (line \($0))" } ?? "") + ": \(StepText.describe(step.action))")
            var found = try simulator.perform(step)
            found += try invariants(simulator, &checker, step: index + 1, line: step.line)
            for position in found.indices {
                found[position].step = index + 1
                found[position].line = step.line
                simulator.trace.add(1, "FAILED: \(found[position])")
            }
            failures += found
            stepsRun += 1
        }
        var digests: [String: String] = [:]
        for node in simulator.nodes {
            digests[node.name] = try simulator.read(node) { replica throws(ReplicaError) in try replica.digest().state }
        }
        return ScenarioReport(name: document.name, file: file, seed: seed, steps: document.steps.count, stepsRun: stepsRun,
                              failures: failures, trace: simulator.trace.lines, digests: digests)
    }

    private func invariants(_ simulator: Simulator, _ checker: inout InvariantChecker, step: Int,
                            line: Int?) throws(ScenarioError) -> [ScenarioFailure] {
        var failures: [ScenarioFailure] = []
        for node in simulator.nodes where simulator.touched.contains(node.name) {
            for problem in try checker.check(node) {
                failures.append(ScenarioFailure(.invariant, step: step, line: line, node: node.name, problem))
            }
        }
        simulator.touched = []
        return failures
    }
}

