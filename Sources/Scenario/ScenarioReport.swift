/// The outcome of running one scenario.
public struct ScenarioReport: Hashable, Sendable, Codable {
    public var name: String
    public var file: String?
    public var seed: UInt64
    public var steps: Int
    /// Steps carried out (fewer than `steps` when the run stopped at a failure).
    public var stepsRun: Int
    public var failures: [ScenarioFailure]
    /// The trace, when asked for.
    public var trace: [String]
    /// Each node's state digest at the end.
    public var digests: [String: String]
    /// Run with real processes (`--live`) rather than in the simulator.
    public var live = false

    public var passed: Bool { failures.isEmpty }
}
