import ArgumentParser
import SyncServer

/// `outpost server`'s limits and timeouts (Protocol/SERVER_API.md, "Limits" and "Timeouts and
/// connection limits").
struct ServerLimitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "How long an upgraded sync socket may wait before its hello (then hello_timeout).", valueName: "seconds"))
    var helloTimeout = 10.0
    @Option(name: .long, help: ArgumentHelp(
        "How long a client may take to send a request's head, the WebSocket handshake included (then the "
            + "connection is closed).", valueName: "seconds"))
    var headerTimeout = 10.0
    @Option(name: .long, help: ArgumentHelp(
        "The longest silence while a request body arrives (then the connection is closed).", valueName: "seconds"))
    var bodyTimeout = 30.0
    @Option(name: .long, help: ArgumentHelp(
        "The longest a whole request may take until it is answered.", valueName: "seconds"))
    var requestTimeout = 300.0
    @Option(name: .long, help: ArgumentHelp(
        "How long a kept-alive HTTP connection may be silent before it is closed.", valueName: "seconds"))
    var idleTimeout = 60.0
    @Option(name: .long, help: ArgumentHelp(
        "Connections not yet answered at once; a new one past this closes the oldest.", valueName: "n"))
    var maxPendingConnections = ServerLimits().maxPendingConnections
    @Option(name: .long, help: ArgumentHelp(
        "Open sync sockets at once, all devices together (more get too_many_connections).", valueName: "n"))
    var maxConnections = ServerLimits().maxConnections
    @Option(name: .long, help: ArgumentHelp(
        "Open sync sockets at once for one device (more get too_many_connections).", valueName: "n"))
    var maxConnectionsPerDevice = ServerLimits().maxConnectionsPerDevice
    @Option(name: .long, help: ArgumentHelp(
        "Failed enrollment codes per client address per minute (then 429 rate_limited).", valueName: "n"))
    var maxEnrollFailures = ServerLimits().maxEnrollmentFailures

    func validate() throws {
        for (name, value) in [("--hello-timeout", helloTimeout), ("--header-timeout", headerTimeout),
                              ("--body-timeout", bodyTimeout), ("--request-timeout", requestTimeout),
                              ("--idle-timeout", idleTimeout)] {
            guard value > 0, value <= 3_600 else { throw ValidationError("\(name) must be over 0 and at most 3600 seconds") }
        }
        guard (1...1_000_000).contains(maxConnections) else {
            throw ValidationError("--max-connections must be 1–1000000")
        }
        guard (1...1_000).contains(maxConnectionsPerDevice) else {
            throw ValidationError("--max-connections-per-device must be 1–1000")
        }
        guard (1...100_000).contains(maxEnrollFailures) else {
            throw ValidationError("--max-enroll-failures must be 1–100000")
        }
        guard (1...100_000).contains(maxPendingConnections) else {
            throw ValidationError("--max-pending-connections must be 1–100000")
        }
    }

    /// The limits the options give (validated: every duration is within an hour).
    var limits: ServerLimits {
        ServerLimits(helloTimeout: Self.duration(helloTimeout), maxConnections: maxConnections,
                     maxConnectionsPerDevice: maxConnectionsPerDevice, maxEnrollmentFailures: maxEnrollFailures,
                     headerTimeout: Self.duration(headerTimeout), bodyTimeout: Self.duration(bodyTimeout),
                     requestTimeout: Self.duration(requestTimeout), idleTimeout: Self.duration(idleTimeout),
                     maxPendingConnections: maxPendingConnections)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}
