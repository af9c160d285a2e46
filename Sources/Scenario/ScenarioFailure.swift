/// Something that did not hold in a run: which step (and line of the file), which node, what was
/// expected and what was found.
public struct ScenarioFailure: Hashable, Sendable, Codable, CustomStringConvertible {
    /// What failed: an `expectation` of the file, an `action` the replica refused unexpectedly, or
    /// an `invariant` (Protocol/SCENARIOS.md, "Invariants checked after every step") that the harness checks after every step.
    public enum Kind: String, Hashable, Sendable, Codable {
        case expectation, action, invariant
    }

    public var kind: Kind
    /// 1-based step number; 0 for the set-up before the first step and the final checks.
    public var step: Int
    public var line: Int?
    /// The device, or `server`.
    public var node: String?
    public var message: String
    public var expected: String?
    public var actual: String?

    public init(_ kind: Kind, step: Int = 0, line: Int? = nil, node: String? = nil, _ message: String,
                expected: String? = nil, actual: String? = nil) {
        self.kind = kind
        self.step = step
        self.line = line
        self.node = node
        self.message = message
        self.expected = expected
        self.actual = actual
    }

    public var description: String {
        var text = "step \(step)"
        if let line { text += " (line \(line))" }
        if let node { text += ", \(node)" }
        text += ": \(kind.rawValue) failed: \(message)"
        if let expected { text += "\n    expected: \(expected)" }
        if let actual { text += "\n    actual:   \(actual)" }
        return text
    }
}
