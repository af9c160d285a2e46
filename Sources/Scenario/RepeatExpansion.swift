import Foundation
import Yams

/// Expands `repeat` blocks of a scenario's steps before they are read (Protocol/SCENARIOS.md,
/// "Repetition"): `{repeat: N, steps: [...]}` stands for its steps N times, with `{i}` (or the
/// block's `counter`) in every value replaced by the pass number, from 1. Blocks nest; an inner
/// block may use the outer counters. Expansion happens on the YAML, so both worlds run exactly the
/// expanded steps, and errors point at the template's lines. At most ``maxSteps`` steps in all.
enum RepeatExpansion {
    /// The most steps a file may expand to.
    static let maxSteps = 100_000

    static func expand(_ nodes: [Node], file: String?) throws(ScenarioError) -> [Node] {
        var out: [Node] = []
        try expand(nodes, into: &out, file: file)
        return out
    }

    private static func expand(_ nodes: [Node], into out: inout [Node], file: String?) throws(ScenarioError) {
        for node in nodes {
            guard case .mapping(let mapping) = node, mapping.first?.key.string == "repeat" else {
                guard out.count < maxSteps else { throw tooMany(node, file: file) }
                out.append(node)
                continue
            }
            let what = "a `repeat` block"
            var fields = try YAMLFields(node, file: file, what: what)
            let countNode = try fields.required("repeat", in: what)
            let count = try YAMLValue.int(countNode, "repeat", file: file)
            guard (1...maxSteps).contains(count) else {
                throw ScenarioError("bad_scenario", "`repeat` takes 1 to \(maxSteps) passes, not \(count)", file: file,
                                    line: countNode.mark?.line)
            }
            let counter = try fields.string("counter") ?? "i"
            guard !counter.isEmpty, counter.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw ScenarioError("bad_scenario", "a `counter` is a name of letters, like i or n", file: file,
                                    line: fields.line)
            }
            let body = try fields.required("steps", in: what)
            try fields.finish(what)
            guard case .sequence(let steps) = body, !steps.isEmpty else {
                throw ScenarioError("bad_scenario", "a `repeat` block's `steps` is a list of at least one step", file: file,
                                    line: body.mark?.line)
            }
            for pass in 1...count {
                try expand(steps.map { substitute($0, "{\(counter)}", String(pass)) }, into: &out, file: file)
            }
        }
    }

    /// `node` with `token` replaced by `value` in every scalar value (keys stay as they are).
    static func substitute(_ node: Node, _ token: String, _ value: String) -> Node {
        switch node {
        case .scalar(var scalar):
            guard scalar.string.contains(token) else { return node }
            scalar.string = scalar.string.replacingOccurrences(of: token, with: value)
            return .scalar(scalar)
        case .mapping(let mapping):
            return .mapping(Node.Mapping(mapping.map { ($0.key, substitute($0.value, token, value)) }, mapping.tag,
                                         mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { substitute($0, token, value) }, sequence.tag, sequence.style,
                                           sequence.mark))
        case .alias:
            return node
        }
    }

    private static func tooMany(_ node: Node, file: String?) -> ScenarioError {
        ScenarioError("bad_scenario", "the steps expand to more than \(maxSteps)", file: file, line: node.mark?.line)
    }
}
