public import Causality
public import Logging
import HummingbirdWSClient
import NIOCore
import NIOPosix
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Replica
import SyncCore
public import SyncEngine
import Wire

/// A device's connection to the server: one WebSocket to `GET /v1/sync` (Protocol/SERVER_API.md)
/// with the device's bearer token, over which a device ``SyncDriver`` runs.
public struct WebSocketSync: Sendable {
    public let replica: Replica
    public let serverURL: String
    public let token: String
    public let clock: any PhysicalClock
    public let logger: Logger
    /// How often the device pings the server; a ping without a pong by the next one closes the
    /// connection, so a link that died without a word (a NAT that forgot it, a server that hangs)
    /// ends the session with ``SyncFailure/closed`` instead of a wait for ever.
    public let keepalive: Duration
    /// How long connecting may take: TCP connect, WebSocket upgrade and the server's Welcome
    /// together. Past it the attempt is abandoned (its connection closed) and the sync fails as
    /// `unreachable` (retryable): a server that accepts TCP and then says nothing cannot hold a
    /// device for ever.
    public let handshakeTimeout: Duration

    public init(replica: Replica, serverURL: String, token: String, clock: any PhysicalClock = SystemClock(),
                logger: Logger = Logger(label: "outpost.sync"), keepalive: Duration = .seconds(30),
                handshakeTimeout: Duration = .seconds(30)) {
        self.replica = replica
        self.serverURL = serverURL
        self.token = token
        self.clock = clock
        self.logger = logger
        self.keepalive = keepalive
        self.handshakeTimeout = handshakeTimeout
    }

    /// The WebSocket URL for the server's base URL (`http` → `ws`, `https` → `wss`).
    public var syncURL: String {
        var base = serverURL
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("https://") { base = "wss://" + base.dropFirst(8) }
        else if base.hasPrefix("http://") { base = "ws://" + base.dropFirst(7) }
        return base + "/v1/sync"
    }

    /// Connects and syncs until caught up (one round), recording acks, progress and the outcome
    /// in the replica's ``SyncState``.
    public func syncOnce(events: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        try await connect(untilCaughtUp: true, events: events)
    }

    /// Connects and runs one session: one round (`untilCaughtUp`) or live until the connection ends.
    ///
    /// A live session pushes whenever `localChanges` yields. Without it, the session watches the
    /// replica file (``Replica/changes(every:)``), which also sees changes other processes make;
    /// an app that makes its changes in this process passes its own stream and pushes at once.
    public func connect(untilCaughtUp: Bool, localChanges: AsyncStream<Void>? = nil,
                        events: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        let replica = replica
        let welcomed = OnceFlag()
        let record: @Sendable (SyncEvent) -> Void = { event in
            if case .connected = event { welcomed.set() }
            SyncStateRecorder.record(event, in: replica)
            events(event)
        }
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = WireLimits.default.maxFrameBytes + FrameCodec.headerSize
        configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        configuration.autoPing = .enabled(timePeriod: keepalive)
        // A peer that stopped answering pings will not answer a close either: wait briefly.
        configuration.closeTimeout = min(keepalive, .seconds(5))
        let maxMessage = configuration.maxFrameSize
        let outcome = Outcome()
        let session = SyncSession.device(replica: replica.identity.replica, brand: replica.identity.brand,
                                         user: replica.identity.viewer, configuration: .process)
        let clock = clock
        // Each attempt runs on an event loop of its own, as a task of its own, raced against the
        // handshake deadline: a connect, upgrade or Welcome that hangs is abandoned, and its loop
        // shut down, which closes its connection (the library's upgrade has no timeout to wait for).
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let url = syncURL, logger = logger, handshakeTimeout = handshakeTimeout
        let attempt = Task { () throws -> Void in
            try await WebSocketClient.connect(url: url, configuration: configuration, eventLoopGroup: loop,
                                              logger: logger) {
                inbound, outbound, _ in
                let transport = WebSocketClientTransport(outbound: outbound)
                let driver = SyncDriver(session: session, store: replica, clock: clock,
                                        crashAt: Failpoint.armedInProcess)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await message in inbound.messages(maxSize: maxMessage) {
                                if case .binary(let buffer) = message {
                                    await transport.queue.put(Array(buffer.readableBytesView))
                                }
                            }
                        } catch {}
                        await transport.queue.close()
                    }
                    do {
                        try await driver.run(over: transport, untilCaughtUp: untilCaughtUp,
                                             localChanges: untilCaughtUp ? nil : localChanges ?? replica.changes(),
                                             storePool: .store, events: record)
                    } catch let error as SyncFailure {
                        await outcome.fail(error)
                    } catch {
                        await outcome.fail(.closed)
                    }
                    try? await outbound.close(.normalClosure, reason: nil)
                    group.cancelAll()
                }
            }
        }
        let result = await withTaskCancellationHandler {
            await Self.race(attempt, deadline: handshakeTimeout, unless: welcomed)
        } onCancel: {
            attempt.cancel()
        }
        guard let result else {
            attempt.cancel()
            Task { try? await loop.shutdownGracefully() }
            let failure = SyncFailure.unreachable("no Welcome from the server within \(handshakeTimeout) of connecting")
            await SyncStateRecorder.recordFailure(failure, in: replica)
            throw failure
        }
        try? await loop.shutdownGracefully()
        if case .failure(let error) = result {
            // The upgrade failed: ask the same URL over plain HTTP for the server's JSON error
            // (401 unauthorized for a revoked or unknown token), else the server is unreachable.
            let failure = await refusal() ?? SyncFailure.unreachable("\(error)")
            await SyncStateRecorder.recordFailure(failure, in: replica)
            throw failure
        }
        if let failure = await outcome.failure {
            await SyncStateRecorder.recordFailure(failure, in: replica)
            throw failure
        }
        await SyncStateRecorder.recordSuccess(in: replica, nowMs: clock.nowMilliseconds())
    }

    /// The server's JSON error for `GET /v1/sync` without an upgrade, if it answers with one.
    /// The attempt's result, or `nil` when `deadline` passed first without `welcomed` set. Once
    /// welcomed, the attempt runs as long as its session lasts.
    private static func race(_ attempt: Task<Void, any Error>, deadline: Duration,
                             unless welcomed: OnceFlag) async -> Result<Void, any Error>? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, any Error>?, Never>) in
            let resumed = OnceFlag()
            let resume: @Sendable (Result<Void, any Error>?) -> Void = { value in
                guard resumed.setIfUnset() else { return }
                continuation.resume(returning: value)
            }
            let watchdog = Task {
                try? await Task.sleep(for: deadline)
                if !welcomed.isSet && !Task.isCancelled { resume(nil) }
            }
            Task {
                let result = await attempt.result
                watchdog.cancel()
                resume(result)
            }
        }
    }

    private func refusal() async -> SyncFailure? {
        var base = serverURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/v1/sync") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let status = (response as? HTTPURLResponse)?.statusCode, status >= 400
        else { return nil }
        return ServerErrorBody.frame(from: data, status: status).map { .refused($0) }
    }

    /// The first failure of a session.
    private actor Outcome {
        var failure: SyncFailure?
        func fail(_ error: SyncFailure) { if failure == nil { failure = error } }
    }
}

/// The device's ``FrameTransport`` over the client WebSocket.
final class WebSocketClientTransport: FrameTransport {
    let queue = FrameQueue()
    private let outbound: WebSocketOutboundWriter

    init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    func send(_ frame: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame)))
    }

    func receive() async throws -> [UInt8]? {
        await queue.take()
    }

    func close() async {
        await queue.close()
        try? await outbound.close(.normalClosure, reason: nil)
    }
}

