import ArgumentParser
import Causality
import DemoHistory
import Foundation
import Replica

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole product on this machine: a server with demo data and two devices' inboxes in a browser.",
        discussion: """
            With no arguments: starts an embedded server (data in a fresh temporary folder, or --data DIR) \
            with Northwind Outfitters' demo history — partners in every status, all three kinds of \
            conversation, replies delivered as .eml files into DATA/outbox-mail — enrolls two devices of \
            Dana Whitfield (laptop and tablet), serves both inboxes on 127.0.0.1 (--ui-port and the next \
            port), prints their addresses and what to try, and runs until Ctrl-C.

            With --replica-only: builds one demo replica (Dana's laptop, no server) at --replica and shows \
            its inbox, for scripts and benchmarks: about 20 partners in every status, 200 conversations of \
            all three kinds, 3,000 messages, some unread, a few drafts (one in conflict). --messages N \
            builds large replicas.
            """)

    @Flag(name: .long, help: "Only build the demo replica and show its inbox (no server, no browser).")
    var replicaOnly = false

    @OptionGroup var replicaOptions: ReplicaOptions

    @Option(name: .long, help: "How many messages (1–10000000).")
    var messages = 3000

    @Option(name: .long, help: "Seed: the same seed gives the same inbox.")
    var seed: UInt64 = 2026

    @Flag(name: .long, help: "With --replica-only: replace an existing replica at the path.")
    var force = false

    @Flag(name: .long, help: "With --replica-only: build only; do not show the inbox.")
    var quiet = false

    @OptionGroup(title: "The live demo") var live: LiveDemoOptions

    func validate() throws {
        guard (1...10_000_000).contains(messages) else { throw ValidationError("--messages must be 1–10000000") }
        if !replicaOnly {
            guard replicaOptions.replica == nil, !force, !quiet else {
                throw ValidationError("--replica, --force and --quiet go with --replica-only")
            }
        }
        try live.validate()
    }

    func run() async throws {
        if replicaOnly { return try buildReplica() }
        try await LiveDemo(options: live, messages: messages, seed: seed).run()
    }

    /// The one-shot replica demo (`--replica-only`).
    func buildReplica() throws {
        let path = replicaOptions.path
        if FileManager.default.fileExists(atPath: path) {
            guard force else {
                throw CLIError("a replica already exists at \(path); pass --force to replace it", code: "replica_exists")
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let options = DemoOptions(messages: messages, seed: seed, now: SystemClock.process.nowMilliseconds())
        var lastShown = 0
        let started = Date()
        let replica = try cli {
            try Replica.buildDemo(at: path, options: options, clock: SystemClock.process) { done, total in
                if total > 20_000 && (done - lastShown >= 100_000 || done == total) {
                    Output.stderr("applied \(done) of \(total) ops…")
                    lastShown = done
                }
            }
        }
        let info = try cli { try replica.info() }
        let seconds = Date().timeIntervalSince(started)
        Output.stderr(String(format: "Built %@ in %.1f s: %d conversations, %d messages, %d partners.", path, seconds,
                             info.conversations, info.messages, info.partners))
        guard !quiet else { return }
        print("Northwind Outfitters — inbox of Dana Whitfield (\(info.unreadConversations) unread)\n")
        Output.inbox(try cli { try replica.inbox(InboxFilter(limit: 15)) }, emptyMessage: "")
        let replicaFlag = replicaOptions.replica.map { " --replica \($0)" } ?? ""
        let hints = [
            ("outpost inbox --unread", "unread conversations"),
            ("outpost search warranty", "search messages, subjects, partners, customer text"),
            ("outpost thread ID", "read a conversation (marks it read)"),
            ("outpost reply ID \"Thanks!\"", "answer it"),
            ("outpost drafts", "drafts, one of them in conflict"),
            ("outpost partners --status ended", "partners who left the platform"),
        ].map { ($0.0 + replicaFlag, $0.1) }
        let width = hints.map(\.0.count).max() ?? 0
        print("\nTry:")
        for (command, what) in hints {
            print("  " + command.padding(toLength: width + 2, withPad: " ", startingAt: 0) + what)
        }
    }
}
