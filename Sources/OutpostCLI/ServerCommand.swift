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
    @OptionGroup(title: "Limits and timeouts") var limitOptions: ServerLimitOptions

    func run() async throws {
        guard (1...65535).contains(port) else { throw CLIError("--port must be 1 to 65535") }
        let store = try await dataOptions.openShared()
        let files = FileLimit.raiseToHardLimit()
        var logger = Logger(label: "outpost.server")
        if ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"] == nil { logger.logLevel = .info }
        logger.notice("starting", metadata: ["data": "\(dataOptions.data)",
                                             "storage": "\(store.shared?.description ?? "embedded")", "address": "\(host):\(port)",
                                             "serverReplica": "\(store.serverReplica)",
                                             "mail": "\(deliveryOptions.describe(data: dataOptions.data))",
                                             "openFiles": "\(files)"])
        let delivery = deliveryOptions.configuration(data: dataOptions.data)
        let app = OutpostServer(store: store, limits: limitOptions.limits, delivery: delivery)
            .application(host: host, port: port, logger: logger)
        do {
            try await app.runService()
        } catch {
            throw CLIError("the server stopped: \(error)", code: "server_error")
        }
    }
}
