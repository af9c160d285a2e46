public import Causality
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InboxModel
public import Replica
public import SyncCore
public import SyncEngine
import NIOPosix
import Wire

/// A device's sync over plain HTTP: `POST /v1/sync` rounds (Protocol/SERVER_API.md). HTTP is only
/// the transport: each round is one session of the same protocol, run by the same
/// ``SyncDriver``, that opens with its Hello and its first batch together
/// (``SyncSession/Opening/withHello(serverHas:)``) and ends when the server's answer has been read.
/// Rounds repeat until a session catches up. For links where a WebSocket cannot stay open; the
/// vectors in each Hello make the series resumable.
public struct HTTPSync: Sendable {
    public let replica: Replica
    public let serverURL: String
    public let token: String
    public let clock: any PhysicalClock
    /// Batch sizes; one batch each way per round, whatever `maxBatchesInFlight` says.
    public var configuration: SyncConfiguration = .process
    /// Rounds at most, as a guard against a peer that never says it is done.
    public var maxRounds = 10_000

    public init(replica: Replica, serverURL: String, token: String, clock: any PhysicalClock = SystemClock()) {
        self.replica = replica
        self.serverURL = serverURL
        self.token = token
        self.clock = clock
    }

    /// Syncs until caught up; `events` sees the same events as a WebSocket sync.
    public func syncOnce(events: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws(SyncFailure) {
        do {
            try await rounds(events: events)
        } catch {
            await SyncStateRecorder.recordFailure(error, in: replica)
            throw error
        }
        await SyncStateRecorder.recordSuccess(in: replica, nowMs: clock.nowMilliseconds())
    }

    private func rounds(events: @escaping @Sendable (SyncEvent) -> Void) async throws(SyncFailure) {
        var base = serverURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/v1/sync") else { throw .unreachable("bad server address \(serverURL)") }
        var configuration = configuration
        configuration.maxBatchesInFlight = 1
        let replica = replica
        for _ in 0..<maxRounds {
            let state: SyncState
            do {
                state = try await NIOThreadPool.onStore { try replica.syncState() }
            } catch {
                throw .store((error as? ReplicaError)?.message ?? "\(error)")
            }
            let session = SyncSession.device(
                replica: replica.identity.replica, brand: replica.identity.brand, user: replica.identity.viewer,
                configuration: configuration, opening: .withHello(serverHas: state.acknowledged.joined(with: state.serverHave)))
            let transport = HTTPRoundTransport(url: url, token: token)
            let progress = OnceFlag()
            let driver = SyncDriver(session: session, store: replica, clock: clock, crashAt: Failpoint.armedInProcess)
            do {
                try await driver.run(over: transport, untilCaughtUp: true, storePool: .store) { event in
                    switch event {
                    case .applied(let ops, _) where ops > 0: progress.set()
                    case .acknowledged(let vector) where !vector.isEmpty: progress.set()
                    // The server asked for the whole vector: the next round's hello sends it.
                    case .helloResent: progress.set()
                    default: break
                    }
                    SyncStateRecorder.record(event, in: replica)
                    events(event)
                }
                return
            } catch .closed {
                // The round's answer is read; unless it failed, the next round goes on from the new vectors.
                if let failure = await transport.failure { throw failure }
                guard progress.isSet else {
                    throw .refused(ErrorFrame(code: .protocolViolation,
                                              message: "the server answered a round that moved nothing", retryable: true))
                }
            }
        }
        throw .refused(ErrorFrame(code: .protocolViolation, message: "no end after \(maxRounds) rounds",
                                  retryable: true))
    }
}

/// One `POST /v1/sync` as a ``FrameTransport``: the first two frames the session sends (its Hello
/// and its first batch) are the request body; the response's frames are what it receives, and
/// then the connection counts as closed. Frames sent after the request (the acknowledgement of the
/// server's page) are not sent: the next round's Hello carries the same news.
actor HTTPRoundTransport: FrameTransport {
    /// Frames in the request body: a Hello and one batch (SERVER_API.md).
    static let requestFrames = 2

    private let url: URL
    private let token: String
    private var request: [[UInt8]] = []
    private var requestReady: CheckedContinuation<Void, Never>?
    private var response: [[UInt8]]?
    private var closed = false
    /// Why the request failed, if it did.
    private(set) var failure: SyncFailure?

    init(url: URL, token: String) {
        self.url = url
        self.token = token
    }

    func send(_ frame: [UInt8]) async throws {
        guard response == nil, request.count < Self.requestFrames else { return }
        request.append(frame)
        if request.count == Self.requestFrames, let requestReady {
            self.requestReady = nil
            requestReady.resume()
        }
    }

    func receive() async throws -> [UInt8]? {
        if response == nil {
            if request.count < Self.requestFrames, !closed {
                await withCheckedContinuation { requestReady = $0 }
            }
            guard !closed else { return nil }
            do {
                response = try await post(request.flatMap { $0 })
            } catch {
                failure = error
                response = []
            }
        }
        guard let next = response?.first else { return nil }
        response?.removeFirst()
        return next
    }

    func close() async {
        closed = true
        requestReady?.resume()
        requestReady = nil
    }

    private func post(_ body: [UInt8]) async throws(SyncFailure) -> [[UInt8]] {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/vnd.outpost.frames", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw .unreachable(error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw .refused(ServerErrorBody.frame(from: data, status: status)
                ?? ErrorFrame(code: .httpStatus(status), message: "the server answered \(status)", retryable: status >= 500))
        }
        do {
            return try FrameCodec.split([UInt8](data))
        } catch {
            throw .badFrame(error)
        }
    }
}
