/// Makes a failing scenario smaller while it still fails the same way (delta debugging over its
/// steps, then its devices), keeping only documents that survive a round trip through
/// ``ScenarioWriter`` and ``ScenarioParser``, so the result replays exactly from its file.
public struct Shrinker: Sendable {
    /// Most candidate runs before giving up on shrinking further.
    public var budget: Int

    public init(budget: Int = 400) { self.budget = budget }

    /// The smallest failing document found, and its report. `document` must fail.
    public func shrink(_ document: ScenarioDocument) throws(ScenarioError) -> (document: ScenarioDocument, report: ScenarioReport) {
        let runner = ScenarioRunner(stopAtFirstFailure: true)
        var best = document
        var bestReport = try runner.run(document)
        guard let kind = bestReport.failures.first?.kind else { return (document, bestReport) }
        var tries = 0

        func attempt(_ candidate: ScenarioDocument) throws(ScenarioError) -> Bool {
            guard tries < budget else { return false }
            tries += 1
            // Only documents that a file can carry: the parser checks labels and device names.
            guard let reparsed = try? ScenarioParser.parse(ScenarioWriter.yaml(candidate)) else { return false }
            let report = try runner.run(reparsed)
            guard report.failures.first?.kind == kind else { return false }
            best = reparsed
            bestReport = report
            return true
        }

        // The fixed tail (heal, sync all, expect converged) stays; only the steps before it go.
        let tail = Self.tailLength(document)
        var chunk = max(1, (best.steps.count - tail) / 2)
        while chunk >= 1 && tries < budget {
            var start = 0
            var removedAny = false
            while start < best.steps.count - tail && tries < budget {
                var candidate = best
                let end = min(start + chunk, candidate.steps.count - tail)
                candidate.steps.removeSubrange(start..<end)
                if try attempt(candidate) { removedAny = true } else { start += chunk }
            }
            if !removedAny { chunk /= 2 }
        }
        // Then devices no step needs.
        for device in best.devices.map(\.name).reversed() where best.devices.count > 1 && tries < budget {
            var candidate = best
            candidate.devices.removeAll { $0.name == device }
            candidate.steps.removeAll { Self.mentions($0.action, device) }
            candidate.steps = candidate.steps.map { step in
                guard case .expect(.converged(let names)) = step.action else { return step }
                return Step(.expect(.converged(names.filter { $0 != device })), line: step.line)
            }
            _ = try attempt(candidate)
        }
        best.name += " (shrunk)"
        return (best, bestReport)
    }

    static func tailLength(_ document: ScenarioDocument) -> Int {
        guard case .expect(.converged) = document.steps.last?.action else { return 0 }
        return min(3, document.steps.count)
    }

    static func mentions(_ action: StepAction, _ device: String) -> Bool {
        switch action {
        case .offline(let names), .online(let names): names.contains(device)
        case .sync(let names?): names.contains(device)
        case .clock(let node, _), .crash(let node, _): node == device
        case .user(let name, _, _): name == device
        case .fault(let fault): fault.device == device
        case .expect(.node(let node, _)): node == device
        case .enroll(let spec): spec.name == device
        default: false
        }
    }
}
