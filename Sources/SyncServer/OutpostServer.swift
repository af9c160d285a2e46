public import Hummingbird
import NIOPosix
import HummingbirdCore
import HummingbirdWebSocket
import Foundation
public import Logging
import ServiceLifecycle
public import Causality
import InboxModel
import ServerAPI
import SyncEngine
import Wire

/// The Outpost server: `GET /healthz`, `GET /metrics`, `POST /v1/enroll`, the live sync
/// WebSocket `GET /v1/sync` and the one-shot `POST /v1/sync` over one ``ServerStore``
/// (Protocol/SERVER_API.md), guarded by ``ServerLimits``.
///
/// ```swift
/// let server = OutpostServer(store: try ServerStore.open(directory: "outpost-data"))
/// try await server.application(host: "127.0.0.1", port: 8750).runService()  // until SIGTERM/SIGINT
/// ```
public struct OutpostServer: Sendable {
    public let store: ServerStore
    public let metrics: ServerMetrics
    public let limits: ServerLimits
    /// How replies are delivered to partners; `nil`: not at all (they stay `queued`).
    public let delivery: DeliveryConfiguration?
    let hub = BrandHub()
    let connections: ConnectionLimiter
    let enrollments: EnrollmentLimiter
    let pending: PendingConnections
    /// The default TCP port of `outpost server`.
    public static let defaultPort = 8750
    /// How often the server looks for changes made by other processes (admin commands).
    public var pollInterval: Duration = .milliseconds(200)
    /// The clock that measures ``ServerLimits/helloTimeout`` (a test clock in tests).
    public var helloClock: any Clock<Duration> = ContinuousClock()

    /// `clock` times the enrollment rate limit (the store's clock by default). With `delivery`, the
    /// application runs a ``DeliveryWorker``.
    public init(store: ServerStore, metrics: ServerMetrics = ServerMetrics(), limits: ServerLimits = ServerLimits(),
                delivery: DeliveryConfiguration? = nil, clock: (any PhysicalClock)? = nil) {
        self.store = store
        self.metrics = metrics
        self.limits = limits
        self.delivery = delivery
        connections = ConnectionLimiter(maxTotal: limits.maxConnections, maxPerDevice: limits.maxConnectionsPerDevice)
        pending = PendingConnections(capacity: limits.maxPendingConnections)
        enrollments = EnrollmentLimiter(maxFailures: limits.maxEnrollmentFailures, window: limits.enrollmentWindow,
                                        clock: clock ?? store.clock)
    }

    /// The HTTP application with the WebSocket upgrade, the change poller (embedded) or the
    /// wake-ups from other nodes (shared storage), and (with ``delivery``) the delivery worker, as
    /// services.
    public func application(host: String = "127.0.0.1", port: Int = 8750,
                            logger: Logger = Logger(label: "outpost.server")) -> some ApplicationProtocol {
        let webSocketResponder = webSocketRouter(logger: logger).buildResponder()
        let limits = limits, pending = pending, metrics = metrics
        let server = HTTPServerBuilder { responder in
            GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(ws: .init(maxFrameSize: ServerLimits.webSocketFrameCap))),
                limits: limits, pending: pending, metrics: metrics)
        }
        var app = Application(
            router: httpRouter(logger: logger),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "outpost"),
            logger: logger
        )
        if store.shared != nil {
            app.addServices(WakeupService(hub: hub, store: store, logger: logger))
        } else {
            app.addServices(ChangePoller(hub: hub, store: store, interval: pollInterval, logger: logger))
        }
        if let delivery {
            app.addServices(DeliveryWorker(store: store, hub: hub, configuration: delivery, metrics: metrics,
                                           logger: logger))
        }
        return app
    }

    // MARK: Routes

    func httpRouter(logger: Logger) -> Router<OutpostRequestContext> {
        let router = Router(context: OutpostRequestContext.self)
        router.middlewares.add(JSONErrorMiddleware(metrics: metrics, limits: limits))
        router.get("/healthz") { [store] _, _ in
            guard let shared = store.shared else { return try Self.json(["status": "ok"]) }
            let failure: ServerError?
            do throws(ServerError) {
                try await shared.check()
                failure = nil
            } catch {
                failure = error
            }
            guard let failure else { return try Self.json(["status": "ok", "database": "ok"]) }
            return try Self.json(["status": "unavailable", "database": "unavailable", "error": failure.message],
                                 status: .serviceUnavailable)
        }
        router.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.post("/v1/enroll") { [store, enrollments, logger, limits, metrics] request, context in
            let address = context.clientAddress
            try enrollments.check(address)
            let buffer = try await BodyReader.collect(request, context: context, limit: 64 * 1024,
                                                      limits: limits, metrics: metrics)
            let body: EnrollRequest
            do {
                body = try JSONDecoder().decode(EnrollRequest.self, from: Data(buffer.readableBytesView))
            } catch {
                throw ServerError.badRequest("the body must be {\"code\": \"…\", \"deviceName\": \"…\"}")
            }
            let enrollment: Enrollment
            do {
                enrollment = try await NIOThreadPool.onStore { try store.enroll(code: body.code, deviceName: body.deviceName) }
            } catch let error as ServerError {
                if error.code == .codeInvalid { enrollments.failed(address) }
                throw error
            }
            logger.notice("device enrolled", metadata: ["brand": "\(enrollment.brand)", "user": "\(enrollment.user)",
                                                        "replica": "\(enrollment.replica)"])
            return try Self.json(enrollment)
        }
        router.post("/v1/sync") { [store, hub, metrics, limits] request, context -> Response in
            guard let device = try await Self.device(request.headers[.authorization], store) else {
                throw ServerError.unauthorized()
            }
            let body = try await BodyReader.collect(request, context: context, limit: OneShotSync.maxBody,
                                                    limits: limits, metrics: metrics)
            let response = try await OneShotSync(device: device, store: store, hub: hub, metrics: metrics)
                .run(body: Array(body.readableBytesView))
            return Response(status: .ok, headers: [.contentType: "application/vnd.outpost.frames"],
                            body: .init(byteBuffer: ByteBuffer(bytes: response)))
        }
        // Reached only when the WebSocket upgrade was refused.
        router.get("/v1/sync") { [store] request, _ -> Response in
            guard try await Self.device(request.headers[.authorization], store) != nil else {
                throw ServerError.unauthorized()
            }
            throw ServerError.badRequest("GET /v1/sync needs a WebSocket upgrade")
        }
        addPartnerRoutes(to: router)
        addAdminRoutes(to: router)
        return router
    }

    func webSocketRouter(logger: Logger) -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        let store = store, hub = hub, metrics = metrics, connections = connections, limits = limits
        let helloClock = helloClock
        router.ws("/v1/sync") { request, _ in
            let device = try? await Self.device(request.headers[.authorization], store)
            return device == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            // A token that cannot be checked (storage) is refused like a wrong one: the client is told
            // why by the plain GET it makes after a failed upgrade.
            guard let device = try? await Self.device(context.request.headers[.authorization], store) else {
                try? await outbound.close(.policyViolation, reason: "unauthorized")
                return
            }
            let session = DeviceSession(device: device, store: store, hub: hub, connections: connections,
                                        helloTimeout: HelloTimeout(limits.helloTimeout, clock: helloClock),
                                        metrics: metrics, logger: logger)
            await session.run(inbound: inbound, outbound: outbound)
        }
        return router
    }

    /// The device an `Authorization: Bearer …` header's token belongs to (looked up on the store
    /// pool), or `nil` without a token or for an unknown or revoked one.
    static func device(_ authorization: String?, _ store: ServerStore) async throws -> DeviceRecord? {
        guard let token = bearer(authorization) else { return nil }
        return try await NIOThreadPool.onStore { try store.device(forToken: token) }
    }

    /// The token of an `Authorization: Bearer …` header, if there is a non-empty one.
    static func bearer(_ authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = authorization.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

struct EnrollRequest: Decodable {
    var code: String
    var deviceName: String
}

/// Runs ``BrandHub/poll(_:)`` until graceful shutdown.
struct ChangePoller: Service {
    let hub: BrandHub
    let store: ServerStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // The only error is the cancellation of the sleep at shutdown.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await hub.poll(store, logger: logger)
            }
        }
    }
}
