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
            `outpost admin`, also while the server runs. Logs go to stderr (OUTPOST_LOG_LEVEL, default info \
            for the server). Stops gracefully on SIGTERM or SIGINT.
            """)

    @OptionGroup var dataOptions: ServerDataOptions
    @Option(name: .long, help: "The address to listen on.") var host = "127.0.0.1"
    @Option(name: .long, help: "The TCP port.") var port = OutpostServer.defaultPort

    func run() async throws {
        guard (1...65535).contains(port) else { throw CLIError("--port must be 1 to 65535") }
        let store = try dataOptions.open(create: true)
        var logger = Logger(label: "outpost.server")
        if ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"] == nil { logger.logLevel = .info }
        logger.notice("starting", metadata: ["data": "\(dataOptions.data)", "address": "\(host):\(port)",
                                             "serverReplica": "\(store.serverReplica)"])
        let app = OutpostServer(store: store).application(host: host, port: port, logger: logger)
        do {
            try await app.runService()
        } catch {
            throw CLIError("the server stopped: \(error)", code: "server_error")
        }
    }
}
