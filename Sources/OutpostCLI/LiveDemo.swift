import ArgumentParser
import Causality
import DemoHistory
import Foundation
import InboxModel
import Logging
import Replica
import ServiceLifecycle
import SyncClient
import SyncServer

/// The live demo's options (`outpost demo` without `--replica-only`).
struct LiveDemoOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Keep the demo's server data and device replicas here, and reuse them next time (default: a fresh temporary folder, removed on exit).",
        valueName: "dir"))
    var data: String?

    @Option(name: .long, help: "The embedded server's TCP port.")
    var serverPort = 8760

    @Option(name: .long, help: "The laptop's UI port; the tablet's is the next one.")
    var uiPort = 8751

    @Option(name: .long, help: ArgumentHelp("The longest wait between reconnection attempts.", valueName: "seconds"))
    var maxRetryDelay = 5.0

    func validate() throws {
        for port in [serverPort, uiPort, uiPort + 1] where !(1...65535).contains(port) {
            throw ValidationError("ports must be 1 to 65535")
        }
        guard ![uiPort, uiPort + 1].contains(serverPort) else {
            throw ValidationError("--server-port must differ from the UI ports (--ui-port and the next one)")
        }
        guard maxRetryDelay >= 1, maxRetryDelay <= 3_600 else {
            throw ValidationError("--max-retry-delay must be 1–3600 seconds")
        }
    }
}

/// The whole product on one machine: an embedded server with the demo brand, two enrolled devices
/// of Dana (laptop and tablet), and a web UI for each, in one process until Ctrl-C.
struct LiveDemo {
    let options: LiveDemoOptions
    let messages: Int
    let seed: UInt64

    func run() async throws {
        let temporary = options.data == nil
        let data = options.data ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("outpost-demo-\(UUID().uuidString.prefix(8))").path
        defer { if temporary { try? FileManager.default.removeItem(atPath: data) } }
        var logger = Logger(label: "outpost.demo")
        if ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"] == nil { logger.logLevel = .warning }

        let store = try server { () throws(ServerError) in
            try ServerStore.open(directory: data, create: true, clock: SystemClock.process)
        }
        if try server({ () throws(ServerError) in try store.brands() }).contains(DemoWorld.brand.id) == false {
            Output.stderr("Building the demo brand (\(messages) messages)…")
            let demo = DemoOptions(messages: messages, seed: seed, now: SystemClock.process.nowMilliseconds())
            try server { () throws(ServerError) in try store.seedDemo(options: demo) }
        }
        let serverURL = "http://127.0.0.1:\(options.serverPort)"
        let devices = [("laptop", options.uiPort), ("tablet", options.uiPort + 1)]
        var replicas: [Replica] = []
        for (name, _) in devices {
            replicas.append(try device(named: name, store: store, data: data, serverURL: serverURL))
        }

        let mail = "\(data)/outbox-mail"
        let delivery = DeliveryConfiguration(transport: FileMailTransport(directory: mail), firstRetry: .seconds(2),
                                             interval: .milliseconds(500))
        var services: [any Service] = [
            OutpostServer(store: store, delivery: delivery).application(port: options.serverPort, logger: logger)
        ]
        for (index, (name, port)) in devices.enumerated() {
            services.append(try UIServer.make(replica: replicas[index], name: "Dana's \(name)", host: "127.0.0.1",
                                              port: port, maxRetryDelay: options.maxRetryDelay, offline: false))
        }
        printIntroduction(data: data, temporary: temporary, mail: mail)
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigint, .sigterm],
                                                      logger: logger))
        do {
            try await group.run()
        } catch {
            throw CLIError("the demo stopped: \(error)", code: "demo_error")
        }
        Output.stderr("Demo stopped.")
    }

    /// Dana's device `name`: enrolled once (in-process, with a one-time code), reused after.
    private func device(named name: String, store: ServerStore, data: String, serverURL: String) throws -> Replica {
        let path = "\(data)/devices/dana-\(name).sqlite"
        if FileManager.default.fileExists(atPath: path) {
            return try cli { try Replica.open(at: path, clock: SystemClock.process) }
        }
        let enrollment = try server { () throws(ServerError) in
            let code = try store.makeEnrollmentCode(brand: DemoWorld.brand.id, user: DemoWorld.viewer.id,
                                                    validForMs: 60_000)
            return try store.enroll(code: code, deviceName: "Dana's \(name) (demo)")
        }
        return try cli { try EnrollmentClient.createReplica(at: path, enrollment: enrollment, server: serverURL) }
    }

    private func printIntroduction(data: String, temporary: Bool, mail: String) {
        let laptop = "http://127.0.0.1:\(options.uiPort)/", tablet = "http://127.0.0.1:\(options.uiPort + 1)/"
        Output.now("""
            Outpost demo — Northwind Outfitters, inbox of Dana Whitfield on two devices

              Dana's laptop:  \(laptop)
              Dana's tablet:  \(tablet)
              Server:         http://127.0.0.1:\(options.serverPort)/  (data in \(data)\(temporary ? ", removed on exit" : ""))
              Sent mail:      \(mail)/*.eml

            Try:
              1. Open both addresses side by side; the inboxes sync in a few seconds.
              2. Search, filter by partner or status, open a Customer Inquiry, reply: the reply shows
                 Pending, then Sent, and its .eml file appears in the mail folder.
              3. Press "Work offline" on the laptop, reply and type a draft there, write in the same
                 thread on the tablet, then press "Go online": both replies arrive on both devices,
                 and the draft edited on both shows as a conflict to resolve.
              4. A draft typed on one device appears on the other as you type.

            Press Ctrl-C to stop.
            """)
    }
}
