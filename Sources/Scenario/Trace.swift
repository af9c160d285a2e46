/// The readable step-by-step log of a run (`--trace`): steps, frames, ops and state.
public struct Trace: Sendable {
    public private(set) var lines: [String] = []
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Adds a line; `text` is only built when tracing.
    mutating func add(_ indent: Int = 0, _ text: @autoclosure () -> String) {
        guard enabled else { return }
        lines.append(String(repeating: "  ", count: indent) + text())
    }
}
