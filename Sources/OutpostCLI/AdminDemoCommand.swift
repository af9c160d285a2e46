import ArgumentParser
import Causality
import DemoHistory
import Foundation
import Replica
import SyncServer

/// `outpost admin demo`: a server brand with realistic history, to try first syncs on.
struct AdminDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create the demo brand (northwind: users dana and sam, partners, history) on the server.",
        discussion: """
            The same history `outpost demo` builds on a device, as the server's brand replica: enroll a device \
            for dana (`outpost admin enroll-code --brand northwind --user dana`) and sync it to watch a first \
            sync. --messages 100000 makes a large one.
            """)

    @OptionGroup var dataOptions: ServerDataOptions

    @Option(name: .long, help: "How many messages (1–10000000).")
    var messages = 3000

    @Option(name: .long, help: "Seed: the same seed gives the same history.")
    var seed: UInt64 = 2026

    func validate() throws {
        guard (1...10_000_000).contains(messages) else { throw ValidationError("--messages must be 1–10000000") }
    }

    func run() throws {
        let store = try dataOptions.open(create: true)
        let options = DemoOptions(messages: messages, seed: seed, now: SystemClock.process.nowMilliseconds())
        var shown = 0
        try server { () throws(ServerError) in
            try store.seedDemo(options: options) { done, total in
                if total > 20_000 && (done - shown >= 100_000 || done == total) {
                    Output.stderr("applied \(done) of \(total) ops…")
                    shown = done
                }
            }
        }
        print("Brand northwind created with \(messages) messages of history (users dana and sam).")
    }
}
