import ArgumentParser
import Foundation
import Logging
import Replica
import Synchronization
import SyncClient
import SyncEngine

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync with the server: push what is waiting, pull what is missing.",
        discussion: """
            One round by default. With --watch, stays connected: new changes go up and arrive as they happen, \
            and a dropped link is retried with backoff (1 s doubling to 30 s, with jitter) until Ctrl-C.
            """)

    @OptionGroup var replicaOptions: ReplicaOptions

    @Flag(name: .long, help: "Stay connected and reconnect when the link drops.")
    var watch = false

    @Flag(name: .long, help: "Sync over plain HTTP POST rounds instead of a WebSocket (one round only).")
    var http = false

    @Flag(name: .long, help: "JSON output (one round only).")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "The longest wait for the server to answer a connection: TCP connect, WebSocket upgrade and Welcome "
            + "(then the sync fails as unreachable, to be retried).", valueName: "seconds"))
    var connectTimeout = 30.0

    func validate() throws {
        guard !(http && watch) else { throw ValidationError("--http syncs one round; it does not go with --watch") }
        guard connectTimeout > 0, connectTimeout <= 3_600 else {
            throw ValidationError("--connect-timeout must be over 0 and at most 3600 seconds")
        }
    }

    struct Summary: Codable {
        var received: Int
        var sent: Int
        var pending: Int
        var clockSkewMs: Int64?
    }

    func run() async throws {
        let replica = try replicaOptions.open()
        let state = try cli { try replica.syncState() }
        guard let server = state.serverURL, let token = state.token else {
            throw CLIError("this replica is not enrolled; run `outpost enroll --server URL --code CODE`",
                           code: "not_enrolled")
        }
        let sync = WebSocketSync(replica: replica, serverURL: server, token: token, clock: SystemClock.process,
                                 logger: Logger(label: "outpost.sync"),
                                 handshakeTimeout: .milliseconds(Int64((connectTimeout * 1000).rounded())))
        if watch { return try await watchForever(sync, replica) }
        let before = try cli { try replica.pendingOps() }
        let local = try cli { try replica.versionVector() }
        let received = Counter(), missing = Counter()
        let quiet = json
        let http = http ? HTTPSync(replica: replica, serverURL: server, token: token, clock: SystemClock.process) : nil
        do {
            let run: (@escaping @Sendable (SyncEvent) -> Void) async throws(SyncFailure) -> Void = { events throws(SyncFailure) in
                if let http { try await http.syncOnce(events: events) } else { try await sync.syncOnce(events: events) }
            }
            try await run { event in
                switch event {
                case .connected(_, _, let serverHave):
                    // What this replica lacks of what the server had at the handshake: a first
                    // sync's size, and how much is left of an interrupted one.
                    // (HTTP syncs hand over once per round; the first handshake tells the size.)
                    if missing.value == 0 {
                        missing.add(serverHave.entries.reduce(0) { sum, entry in
                            let lacking = Int(clamping: entry.value - min(entry.value, local[entry.key]))
                            let (total, overflow) = sum.addingReportingOverflow(lacking)
                            return overflow ? Int.max : total
                        })
                    }
                case .applied(let ops, let more):
                    received.add(ops)
                    if !quiet && more {
                        let total = max(missing.value, received.value)
                        Output.stderr("received \(received.value) of \(total) ops "
                                      + "(\(total == 0 ? 100 : received.value * 100 / total)%)…")
                    }
                default:
                    break
                }
            }
        } catch {
            throw CLIError(error.description, code: Self.code(error))
        }
        let after = try cli { try replica.pendingOps() }
        let summary = Summary(received: received.value, sent: max(0, before - after), pending: after,
                              clockSkewMs: try cli { try replica.syncState() }.clockSkewMs)
        if json { return try Output.json(summary) }
        print("Synced with \(server): received \(summary.received) ops, sent \(summary.sent); "
              + "\(summary.pending) waiting to go up.")
    }

    private func watchForever(_ sync: WebSocketSync, _ replica: Replica) async throws {
        var backoff = Backoff()
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            Output.stderr("connecting to \(sync.serverURL)…")
            let started = Date()
            do {
                try await sync.connect(untilCaughtUp: false) { event in
                    switch event {
                    case .caughtUp: Output.stderr("online: caught up")
                    case .applied(let ops, _) where ops > 0: Output.stderr("received \(ops) ops")
                    default: break
                    }
                }
            } catch {
                if !error.isRetryable && error != .closed {
                    throw CLIError(error.description, code: Self.code(error))
                }
                Output.stderr("offline: \(error.description)")
            }
            let jittered = backoff.next(sessionLasted: Date().timeIntervalSince(started), using: &generator)
            Output.stderr(String(format: "retrying in %.1f s", jittered))
            try await Task.sleep(for: .milliseconds(Int(jittered * 1000)))
        }
    }

    static func code(_ failure: SyncFailure) -> String {
        switch failure {
        case .refused(let error): error.code.rawValue
        case .badFrame(let error): error.code.rawValue
        case .closed: "connection_closed"
        case .store: ReplicaError.Code.storage.rawValue
        case .unreachable: "unreachable"
        }
    }
}

/// A count shared with event callbacks.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func add(_ amount: Int) { storage.withLock { $0 += amount } }
    var value: Int { storage.withLock { $0 } }
}
