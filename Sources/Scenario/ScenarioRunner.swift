import Causality
import InboxModel
import Replica

/// Runs scenarios in the deterministic simulator: the same document and seed give the same run,
/// trace and digests on every machine.
///
/// After every step the invariants (Protocol/SCENARIOS.md) are checked on the replicas the step touched
/// (``InvariantChecker``).
public struct ScenarioRunner: Sendable {
    public var seed: UInt64?
    public var trace: Bool
    /// Stop at the first failing step (the fuzzer's and shrinker's mode).
    public var stopAtFirstFailure: Bool
    /// Live mode: the `outpost` executable whose real processes run the scenario (``LiveWorld``);
    /// `nil` runs it in the simulator.
    public var liveBinary: String?

    public init(seed: UInt64? = nil, trace: Bool = false, stopAtFirstFailure: Bool = false, liveBinary: String? = nil) {
        self.seed = seed
        self.trace = trace
        self.stopAtFirstFailure = stopAtFirstFailure
        self.liveBinary = liveBinary
    }

    /// Runs `document`; `file` names it in the report. Throws only when the harness itself
    /// cannot go on (a replica file cannot be made, a process cannot be started); everything the
    /// scenario finds is in the report.
    public func run(_ document: ScenarioDocument, file: String? = nil) throws(ScenarioError) -> ScenarioReport {
        let seed = seed ?? document.seed ?? 1
        let world: any ScenarioWorld
        var live: LiveWorld?
        if let liveBinary {
            live = try LiveWorld(document: document, seed: seed, trace: trace, binary: liveBinary)
            world = live!
        } else {
            world = try Simulator(document: document, seed: seed, trace: trace)
        }
        defer { live?.close() }
        var checker = InvariantChecker()
        var failures = try invariants(world, &checker, step: 0, line: nil)
        var stepsRun = 0
        for (index, step) in document.steps.enumerated() where failures.isEmpty || !stopAtFirstFailure {
            world.trace.add(0, "step \(index + 1)" + (step.line.map { " (line \($0))" } ?? "") + ": \(StepText.describe(step.action))")
            var found = try world.perform(step)
            found += try invariants(world, &checker, step: index + 1, line: step.line, full: Self.checksAll(step.action))
            for position in found.indices {
                found[position].step = index + 1
                found[position].line = step.line
                world.trace.add(1, "FAILED: \(found[position])")
            }
            failures += found
            stepsRun += 1
        }
        var digests: [String: String] = [:]
        for node in world.nodes {
            digests[node.name] = try world.read(node) { replica throws(ReplicaError) in try replica.digest().state }
        }
        var report = ScenarioReport(name: document.name, file: file, seed: seed, steps: document.steps.count,
                                    stepsRun: stepsRun, failures: failures, trace: world.trace.lines, digests: digests)
        report.live = live != nil
        return report
    }

    /// Whether the invariants after `action` compare every conversation of the replicas it
    /// touched: after syncs, crashes and expectations; a user action, a partner's or the
    /// platform's write, or a delivery round changes only the conversations its ops are about.
    static func checksAll(_ action: StepAction) -> Bool {
        switch action {
        case .user, .partner, .platform, .deliver: false
        default: true
        }
    }

    private func invariants(_ world: any ScenarioWorld, _ checker: inout InvariantChecker, step: Int,
                            line: Int?, full: Bool = true) throws(ScenarioError) -> [ScenarioFailure] {
        var failures: [ScenarioFailure] = []
        for node in world.nodes where world.touched.contains(node.name) {
            for problem in try checker.check(node, full: full) {
                failures.append(ScenarioFailure(.invariant, step: step, line: line, node: node.name, problem))
            }
        }
        world.touched = []
        return failures
    }
}
