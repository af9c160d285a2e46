import SyncEngine

/// Counts one sync session's errors in `outpost_errors_total` (Protocol/SERVER_API.md,
/// "Metrics"): each Error frame the server sends, as it goes (``SyncEvent/errorSent(_:)``), and an
/// Error frame that ended the session when the server had sent none, as received from the device.
/// A WebSocket session and a one-shot round count the same way.
struct SessionErrorCount: Sendable {
    let metrics: ServerMetrics
    private let sent = OnceFlag()

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Whether this side has sent an Error frame.
    var sentError: Bool { sent.isSet }

    /// Feed it every event of the session.
    func observe(_ event: SyncEvent) {
        guard case .errorSent(let error) = event else { return }
        metrics.error(error.code)
        sent.set()
    }

    /// The session failed with `failure`: an Error frame it ended with that this side did not send
    /// came from the device.
    func ended(with failure: SyncFailure) {
        if case .refused(let frame) = failure, !sent.isSet { metrics.errorReceived(frame.code) }
    }
}
