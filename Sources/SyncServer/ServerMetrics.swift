import Wire
import Synchronization

/// The server's counters and gauge, rendered in Prometheus text format at `GET /metrics`
/// (names in Protocol/SERVER_API.md).
public final class ServerMetrics: Sendable {
    struct Values {
        var syncs = 0
        var opsIn = 0
        var opsOut = 0
        var bytesIn = 0
        var bytesOut = 0
        var errors: [String: Int] = [:]
        var errorsReceived: [String: Int] = [:]
        var closed: [String: Int] = [:]
        var connected = 0
        var sockets = 0
        var deliveriesSent = 0
        var deliveriesFailed = 0
        var deliveryRetries = 0
        var deliveriesOwed = 0
    }

    private let values = Mutex(Values())

    public init() {}

    func update(_ body: (inout Values) -> Void) {
        values.withLock { body(&$0) }
    }

    /// An HTTP error answered.
    func error(_ code: ServerError.Code) { count(error: code.rawValue) }

    /// An error frame sent.
    func error(_ code: ErrorFrame.Code) { count(error: code.rawValue) }

    /// An error frame a device sent the server (it found something wrong on its side).
    func errorReceived(_ code: ErrorFrame.Code) {
        values.withLock { $0.errorsReceived[code.rawValue, default: 0] += 1 }
    }

    private func count(error code: String) {
        values.withLock { $0.errors[code, default: 0] += 1 }
    }

    /// A connection closed by the server's guards, by `reason` (`header_timeout`, `body_timeout`,
    /// `request_timeout`, `idle_timeout`, `evicted`, `malformed`).
    func connectionClosed(_ reason: String) {
        values.withLock { $0.closed[reason, default: 0] += 1 }
    }

    /// Connections closed by the guards with `reason`.
    public func connectionsClosed(_ reason: String) -> Int { values.withLock { $0.closed[reason, default: 0] } }

    /// The number of open sessions past the Welcome.
    public var connectedDevices: Int { values.withLock { $0.connected } }

    /// The number of open sync WebSockets, before and after their Welcome.
    public var openSockets: Int { values.withLock { $0.sockets } }

    /// Messages handed to the mail transport (`sent`).
    public var deliveriesSent: Int { values.withLock { $0.deliveriesSent } }

    /// Messages whose delivery failed for good (`failed`).
    public var deliveriesFailed: Int { values.withLock { $0.deliveriesFailed } }

    /// Failed attempts that were scheduled again.
    public var deliveryRetries: Int { values.withLock { $0.deliveryRetries } }

    /// The count of errors sent with `code`.
    public func errors(_ code: String) -> Int { values.withLock { $0.errors[code, default: 0] } }

    /// The count of error frames received from devices with `code`.
    public func errorsReceived(_ code: String) -> Int { values.withLock { $0.errorsReceived[code, default: 0] } }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let v = values.withLock { $0 }
        var lines: [String] = []
        func counter(_ name: String, _ help: String, _ value: Int) {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) counter", "\(name) \(value)"]
        }
        counter("outpost_syncs_total", "Sync sessions that got a Welcome.", v.syncs)
        counter("outpost_ops_in_total", "Ops received from devices and applied.", v.opsIn)
        counter("outpost_ops_out_total", "Ops sent to devices, redacted stand-ins included.", v.opsOut)
        counter("outpost_bytes_in_total", "WebSocket frame bytes received.", v.bytesIn)
        counter("outpost_bytes_out_total", "WebSocket frame bytes sent.", v.bytesOut)
        counter("outpost_deliveries_sent_total", "Messages handed to the mail transport.", v.deliveriesSent)
        counter("outpost_deliveries_failed_total", "Messages whose delivery failed for good.", v.deliveriesFailed)
        counter("outpost_delivery_retries_total", "Failed delivery attempts scheduled again.", v.deliveryRetries)
        lines += ["# HELP outpost_errors_total Errors by code: sent (HTTP and Error frames), or received from "
                  + "devices (Error frames).", "# TYPE outpost_errors_total counter"]
        for (direction, errors) in [("sent", v.errors), ("received", v.errorsReceived)] {
            for (code, count) in errors.sorted(by: { $0.key < $1.key }) {
                lines.append("outpost_errors_total{code=\"\(code)\",direction=\"\(direction)\"} \(count)")
            }
        }
        lines += ["# HELP outpost_connections_closed_total Connections the server closed as too slow, idle, "
                  + "malformed or over the pending limit, by reason.",
                  "# TYPE outpost_connections_closed_total counter"]
        for (reason, count) in v.closed.sorted(by: { $0.key < $1.key }) {
            lines.append("outpost_connections_closed_total{reason=\"\(reason)\"} \(count)")
        }
        lines += ["# HELP outpost_connected_devices Open WebSocket sync sessions.",
                  "# TYPE outpost_connected_devices gauge", "outpost_connected_devices \(v.connected)",
                  "# HELP outpost_sync_sockets Open sync WebSockets, counted against the connection limits.",
                  "# TYPE outpost_sync_sockets gauge", "outpost_sync_sockets \(v.sockets)",
                  "# HELP outpost_deliveries_owed Messages waiting for delivery (queued, retrying).",
                  "# TYPE outpost_deliveries_owed gauge", "outpost_deliveries_owed \(v.deliveriesOwed)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
