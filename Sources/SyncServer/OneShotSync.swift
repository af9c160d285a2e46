import Foundation
import Logging
import Replica
import SyncCore
import SyncEngine
import NIOPosix
import Wire

/// `POST /v1/sync`: one request/response round of the sync protocol, for scripts and curl
/// (Protocol/SERVER_API.md). The body is frames one after the other — a Hello, then at most one
/// batch of the device's ops; the response is the server's frames: a Welcome, an Ack of the
/// device's batch, and the first page of what the device lacks (`more` says whether to post
/// again). The same driver, validation and scope as the WebSocket session serve it.
struct OneShotSync {
    let device: DeviceRecord
    let store: ServerStore
    let hub: BrandHub
    let metrics: ServerMetrics

    /// The most frames a request body may hold: a Hello and one OpBatch.
    static let maxFrames = 2

    /// The largest request body accepted.
    static let maxBody = 2 * WireLimits.default.maxFrameBytes + 4 * FrameCodec.headerSize

    func run(body: [UInt8]) async throws -> [UInt8] {
        metrics.update { $0.bytesIn += body.count }
        let frames = try Self.split(body)
        let store = store, brand = device.brand
        let replica = try await NIOThreadPool.onStore { try store.brandReplica(brand) }
        let scoped = DeviceScopedStore(replica: replica, device: device, hub: hub, metrics: metrics)
        let transport = OneShotTransport(requests: frames)
        // One page each way: the response holds the first page of what the device lacks.
        var configuration = SyncConfiguration.process
        configuration.maxBatchesInFlight = 1
        let session = SyncSession.server(replica: store.serverReplica, device: device.scope,
                                         configuration: configuration)
        let driver = SyncDriver(session: session, store: scoped, clock: store.clock, crashAt: Failpoint.armedInProcess)
        let errors = SessionErrorCount(metrics: metrics)
        do {
            try await driver.run(over: transport, untilCaughtUp: false, storePool: .store, events: errors.observe)
        } catch {
            // The request's frames are used up (`closed`), or the session failed: with the Error
            // frame this side put in the response, or with the device's.
            errors.ended(with: error)
        }
        let response = await transport.response()
        metrics.update { $0.bytesOut += response.count }
        return response
    }

    /// Cuts a body into frames by their headers' lengths and decodes each, so that a bad request
    /// is refused before anything of it runs: a frame that does not decode gets its wire code
    /// (`frame_truncated`, `frame_too_large`, `frame_bomb`…), a body that is not a Hello and at
    /// most one OpBatch `protocol_violation`.
    ///
    /// The frames are found by their headers alone, and a body with more than two is refused before
    /// any of them is decoded: the work a request costs is bounded by what a round can use.
    static func split(_ body: [UInt8]) throws(ServerError) -> [[UInt8]] {
        let frames: [[UInt8]]
        var messages: [WireMessage] = []
        do {
            guard let ranges = try FrameCodec.frameRanges(body, maxFrames: maxFrames) else {
                throw ServerError(.protocolViolation, "the body must be a Hello, then at most one OpBatch")
            }
            frames = ranges.map { Array(body[$0]) }
            for frame in frames { messages.append(try FrameCodec.decode(frame)) }
        } catch let error as WireError {
            throw ServerError.frame(error)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.badRequest("\(error)")
        }
        guard !frames.isEmpty else { throw ServerError.badRequest("the body holds no frame") }
        guard case .hello = messages[0], messages.count <= 2,
              messages.dropFirst().allSatisfy({ if case .ops = $0 { true } else { false } }) else {
            throw ServerError(.protocolViolation, "the body must be a Hello, then at most one OpBatch")
        }
        return frames
    }
}

/// A transport whose inbound side is a request's frames and whose outbound side collects the
/// response.
final class OneShotTransport: FrameTransport {
    private let inbound = FrameQueue()
    private let collected = Collected()

    init(requests: [[UInt8]]) {
        let inbound = inbound
        Task { for frame in requests { await inbound.put(frame) }; await inbound.close() }
    }

    func send(_ frame: [UInt8]) async throws { await collected.append(frame) }
    func receive() async throws -> [UInt8]? { await inbound.take() }
    func close() async { await inbound.close() }
    func response() async -> [UInt8] { await collected.bytes }

    private actor Collected {
        var bytes: [UInt8] = []
        func append(_ frame: [UInt8]) { bytes += frame }
    }
}
