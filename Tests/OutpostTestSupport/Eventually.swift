/// What ``eventually(_:timeout:_:)`` throws when the condition did not come true in time.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public let what: String
    public let timeout: Duration

    public var description: String { "timed out after \(timeout) waiting for \(what)" }
}

/// Polls `condition` until it returns a value, and returns it; throws ``TimedOut`` after `timeout`.
///
/// The one polling loop of the tests: it waits for an effect another task or process makes
/// visible (a file, a row, a metric), never for time to pass. Between polls it sleeps, which holds
/// no thread of Swift's shared pool. The timeout is there so that a hang fails the test that hung,
/// with `what` in the message, rather than the suite's time limit.
public func eventually<Value>(_ what: String, timeout: Duration = .seconds(120),
                              _ condition: () async throws -> Value?) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Polls `condition` until it holds; throws ``TimedOut`` after `timeout`.
public func eventually(_ what: String, timeout: Duration = .seconds(120),
                       _ condition: () async throws -> Bool) async throws {
    try await eventually(what, timeout: timeout) { try await condition() ? () : nil }
}
