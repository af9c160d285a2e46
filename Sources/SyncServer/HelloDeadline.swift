import Synchronization

/// The race between a socket's Hello and its ``ServerLimits/helloTimeout``: whichever comes
/// first wins, once. A Hello that arrives after the timeout fired is refused, and a timeout after
/// the Hello does nothing.
final class HelloDeadline: Sendable {
    private enum State { case waiting, arrived, expired }
    private let state = Mutex(State.waiting)

    /// The Hello arrived: `true` if it was in time.
    func arrive() -> Bool { settle(.arrived) }

    /// The timeout fired: `true` if no Hello came before it.
    func expire() -> Bool { settle(.expired) }

    private func settle(_ outcome: State) -> Bool {
        state.withLock { state in
            if state == .waiting { state = outcome }
            return state == outcome
        }
    }
}
