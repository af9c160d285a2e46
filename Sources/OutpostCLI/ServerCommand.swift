import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SyncServer

/// `outpost server`: serves enrollment and live sync until SIGTERM or SIGINT.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Outpost server: enrollment and live sync for many brands (Protocol/SERVER_API.md).",
        discussion: """
            Data lives in --data (created on first run). Set up brands, users and enrollment codes with \
            `outpost admin`, also while the server runs. Brand users' messages are delivered to partners' \
            email addresses: as .eml files in DATA/outbox-mail (or --mail-dir), or through an SMTP relay \
            (--smtp). Logs go to stderr (OUTPOST_LOG_LEVEL, default info \
            for the server). Stops gracefully on SIGTERM or SIGINT.
            """)

    @OptionGroup var dataOptions: ServerDataOptions
    @OptionGroup(title: "Reply delivery") var deliveryOptions: DeliveryOptions
    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "The TCP port.") var port = OutpostServer.defaultPort
    @Option(name: .long, help: ArgumentHelp(
        "How long an upgraded sync socket may wait before its hello (then hello_timeout).", valueName: "seconds"))
    var helloTimeout = 10.0
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
        guard helloTimeout > 0, helloTimeout <= 3_600 else {
            throw ValidationError("--hello-timeout must be over 0 and at most 3600 seconds")
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
    }

    /// The limits the options give.
    var limits: ServerLimits {
        ServerLimits(helloTimeout: .milliseconds(Int64((helloTimeout * 1000).rounded())),
                     maxConnections: maxConnections, maxConnectionsPerDevice: maxConnectionsPerDevice,
                     maxEnrollmentFailures: maxEnrollFailures)
    }

    func run() async throws {
        guard (1...65535).contains(port) else { throw CLIError("--port must be 1 to 65535") }
        let store = try dataOptions.open(create: true)
        var logger = Logger(label: "outpost.server")
        if ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"] == nil { logger.logLevel = .info }
        logger.notice("starting", metadata: ["data": "\(dataOptions.data)", "address": "\(host):\(port)",
                                             "serverReplica": "\(store.serverReplica)",
                                             "mail": "\(deliveryOptions.describe(data: dataOptions.data))"])
        let delivery = deliveryOptions.configuration(data: dataOptions.data)
        let app = OutpostServer(store: store, limits: limits, delivery: delivery)
            .application(host: host, port: port, logger: logger)
        do {
            try await app.runService()
        } catch {
            throw CLIError("the server stopped: \(error)", code: "server_error")
        }
    }
}
