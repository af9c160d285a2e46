import ArgumentParser
import Foundation
import Hummingbird
import InboxWeb
import Logging
import Replica
import SyncClient

/// `outpost ui`: the inbox in a browser, from this device's replica, with live sync beside it.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve the inbox in a browser from this device's replica (works offline; syncs in the background).",
        discussion: """
            Listens on 127.0.0.1 (loopback only) and prints the address to open. An enrolled replica syncs \
            with its server in the same process, like `outpost sync --watch`: changes go up at once, new ones \
            show without a reload, and a dropped link is retried with backoff (1 s doubling to \
            --max-retry-delay, with jitter). The *Work offline* button pauses sync. Stops on Ctrl-C. \
            Routes and safety rules: Protocol/WEB_UI.md.
            """)

    @OptionGroup var replicaOptions: ReplicaOptions
    @Option(name: .long, help: "The TCP port.") var port = 8751
    @Option(name: .long, help: "The address to listen on (keep the loopback default unless you know why).")
    var host = "127.0.0.1"
    @Option(name: .long, help: ArgumentHelp("The longest wait between reconnection attempts.", valueName: "seconds"))
    var maxRetryDelay = 30.0
    @Flag(name: .long, help: "Start with sync paused (Work offline).") var offline = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard maxRetryDelay >= 1, maxRetryDelay <= 3_600 else {
            throw ValidationError("--max-retry-delay must be 1–3600 seconds")
        }
    }

    func run() async throws {
        let replica = try replicaOptions.open()
        let server = try UIServer.make(replica: replica, name: replicaOptions.path, host: host, port: port,
                                       maxRetryDelay: maxRetryDelay, offline: offline)
        do {
            try await server.runService()
        } catch {
            throw CLIError("the UI stopped: \(error)", code: "ui_error")
        }
    }
}

/// One device's UI application, as `outpost ui` and `outpost demo` start it.
enum UIServer {
    static func make(replica: Replica, name: String, host: String, port: Int, maxRetryDelay: Double,
                     offline: Bool) throws(CLIError) -> some Hummingbird.ApplicationProtocol {
        let state = try cli { try replica.syncState() }
        var logger = Logger(label: "outpost.ui")
        if ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"] == nil { logger.logLevel = .notice }
        let sync = state.serverURL.flatMap { url in
            state.token.map { WebSocketSync(replica: replica, serverURL: url, token: $0, clock: SystemClock.process,
                                           logger: logger) }
        }
        let monitor = SyncMonitor(enrolled: sync != nil)
        if offline { monitor.setPaused(true) }
        let ui: WebUI
        do {
            ui = try WebUI(replica: replica, monitor: monitor)
        } catch {
            throw CLIError("\(error)", code: "no_viewer")
        }
        let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
        return ui.application(host: host, port: port, sync: sync, backoff: Backoff(maximum: maxRetryDelay),
                              logger: logger) {
            Output.now("Outpost UI for \(name) at \(address)")
        }
    }
}
