public import Causality
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InboxModel
public import Replica
import Wire

/// A device's sync over plain HTTP: `POST /v1/sync` rounds (Protocol/SERVER_API.md), each a
/// Hello plus one page of what the server lacks, answered by a Welcome, an Ack and one page of
/// what the device lacks. Rounds repeat until both sides are caught up. For links where a
/// WebSocket cannot stay open, and the same vectors make it resumable.
public struct HTTPSync: Sendable {
    public let replica: Replica
    public let serverURL: String
    public let token: String
    public let clock: any PhysicalClock
    /// Ops per pushed page.
    public var pageSize = 2_000
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
            try? replica.updateSyncState { $0.lastError = error.description }
            throw error
        }
        let now = clock.nowMilliseconds()
        try? replica.updateSyncState { state in
            state.lastSyncMs = now
            state.lastError = nil
        }
    }

    private func rounds(events: @escaping @Sendable (SyncEvent) -> Void) async throws(SyncFailure) {
        var base = serverURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/v1/sync") else { throw .unreachable("bad server address \(serverURL)") }
        for _ in 0..<maxRounds {
            let local = try store { try replica.versionVector() }
            let state = try store { try replica.syncState() }
            let serverKnown = state.acknowledged.joined(with: state.serverHave)
            let (ops, _) = try store { try replica.ops(missingFrom: serverKnown, limit: pageSize) }
            var body = try encode(.hello(Hello(replica: replica.identity.replica, brand: replica.identity.brand,
                                               user: replica.identity.viewer, have: local,
                                               clockMs: clock.nowMilliseconds())))
            if !ops.isEmpty { body += try encode(.ops(OpBatch(batch: 1, ops: ops, more: false))) }
            let frames = try await post(body, to: url)
            var serverMore = false
            var pushedAcked = ops.isEmpty
            for frame in frames {
                let message: WireMessage
                do {
                    message = try FrameCodec.decode(frame)
                } catch {
                    throw .badFrame(error)
                }
                switch message {
                case .welcome(let welcome):
                    let skew = Int64(bitPattern: welcome.clockMs &- clock.nowMilliseconds())
                    try? replica.updateSyncState { state in
                        state.serverReplica = welcome.serverReplica
                        state.serverHave = welcome.have
                        state.clockSkewMs = skew
                    }
                    events(.connected(peer: welcome.serverReplica, clockSkewMs: skew, peerHave: welcome.have))
                case .ack(let ack):
                    try? replica.updateSyncState { $0.acknowledged.join(ack.have) }
                    pushedAcked = pushedAcked || ops.allSatisfy { ack.have.covers($0.dot) }
                    events(.acknowledged(ack.have))
                case .ops(let batch):
                    do {
                        try replica.apply(batch.ops)
                    } catch {
                        throw .store(error.message)
                    }
                    events(.applied(ops: batch.ops.count, more: batch.more))
                    serverMore = serverMore || batch.more
                case .error(let error):
                    throw .refused(error)
                case .hello:
                    throw .refused(ErrorFrame(code: .protocolViolation, message: "a server sent a hello",
                                              retryable: false))
                }
            }
            guard pushedAcked else {
                throw .refused(ErrorFrame(code: .protocolViolation, message: "the server did not acknowledge the batch",
                                          retryable: true))
            }
            let after = try store { try replica.syncState() }
            let left = try store {
                try replica.ops(missingFrom: after.acknowledged.joined(with: after.serverHave), limit: 1)
            }
            if !serverMore && left.ops.isEmpty {
                events(.caughtUp)
                return
            }
        }
        throw .refused(ErrorFrame(code: .protocolViolation, message: "no end after \(maxRounds) rounds",
                                  retryable: true))
    }

    private func post(_ body: [UInt8], to url: URL) async throws(SyncFailure) -> [[UInt8]] {
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

    private func encode(_ message: WireMessage) throws(SyncFailure) -> [UInt8] {
        do {
            return try FrameCodec.encode(message)
        } catch {
            throw .badFrame(error)
        }
    }

    private func store<T>(_ body: () throws -> T) throws(SyncFailure) -> T {
        do {
            return try body()
        } catch {
            throw .store("\(error)")
        }
    }
}
