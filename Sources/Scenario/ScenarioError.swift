/// A scenario file that cannot be run, or a run that could not be carried out: a stable code, a
/// message, and where in the file (Protocol/SCENARIOS.md, "Errors").
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes: `bad_scenario` (the file does not follow the format), `unreadable` (the file
    /// cannot be read), `simulation` (the simulator itself failed, e.g. a replica file could not be
    /// opened).
    public var code: String
    public var message: String
    public var file: String?
    /// 1-based line, when known.
    public var line: Int?

    public init(_ code: String, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// `file:line: message [code]`, as compilers print it.
    public var description: String {
        var place = file ?? "<scenario>"
        if let line { place += ":\(line)" }
        return "\(place): \(message) [\(code)]"
    }
}
