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
        /// Ops applied from the server.
        var received: Int
        /// Ops this device sent up in this sync.
        var sent: Int
        /// Ops of this device that stopped waiting: the server acknowledged them in this sync
        /// (sent now, or earlier by a sync that ended before its acknowledgement).
        var acknowledged: Int
        /// Ops of this device still waiting to go up.
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
        // `whole`: the ops the server had for this device at the first handshake; `had`: how many of
        // them this replica already held, so that a resumed first sync shows progress of the whole.
        let received = Counter(), sent = Counter(), whole = Counter(), had = Counter(), measured = Counter()
        let quiet = json
        let http = http ? HTTPSync(replica: replica, serverURL: server, token: token, clock: SystemClock.process) : nil
        do {
            let run: (@escaping @Sendable (SyncEvent) -> Void) async throws(SyncFailure) -> Void = { events throws(SyncFailure) in
                if let http { try await http.syncOnce(events: events) } else { try await sync.syncOnce(events: events) }
            }
            try await run { event in
                switch event {
                case .connected(_, _, let serverHave):
                    // The size of the whole, as `outpost status` counts it, and what of it was here
                    // already. (HTTP syncs hand over once per round; the first handshake counts.)
                    if measured.value == 0 {
                        measured.add(1)
                        let total = Int(clamping: serverHave.opCount())
                        whole.add(total)
                        had.add(total - Int(clamping: serverHave.opCount(above: local)))
                    }
                case .applied(let ops, let more):
                    received.add(ops)
                    if !quiet && more {
                        // One figure, of the whole: a resumed first sync goes on from where it was.
                        let total = max(whole.value, had.value + received.value)
                        let done = min(total, had.value + received.value)
                        Output.stderr("received \(received.value) ops: \(done) of \(total) "
                                      + "(\(total == 0 ? 100 : done * 100 / total)%)…")
                    }
                case .sent(let ops):
                    sent.add(ops)
                default:
                    break
                }
            }
        } catch {
            throw CLIError(error.description, code: Self.code(error))
        }
        let after = try cli { try replica.pendingOps() }
        let summary = Summary(received: received.value, sent: sent.value, acknowledged: max(0, before - after),
                              pending: after, clockSkewMs: try cli { try replica.syncState() }.clockSkewMs)
        if json { return try Output.json(summary) }
        print("Synced with \(server): received \(summary.received) ops, sent \(summary.sent), "
              + "\(summary.acknowledged) acknowledged; \(summary.pending) waiting to go up.")
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
