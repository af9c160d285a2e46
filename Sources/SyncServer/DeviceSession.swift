import Causality
import HummingbirdWebSocket
import InboxModel
import Logging
import Replica
import SyncCore
import SyncEngine
import NIOPosix
import Wire

/// One device's live sync session over an upgraded WebSocket: the server's ``SyncSession`` for
/// the token's device (its hello must name that device; it sees its brand's replica with its
/// user's scope), run live by the ``SyncDriver`` against the device-scoped brand replica. The
/// socket takes a slot of the ``ConnectionLimiter`` at the upgrade (without one, the session's
/// admission refuses the hello with `too_many_connections`); the hello must come within the hello
/// timeout (else `hello_timeout`); a revoked device's session ends at once with `unauthorized`.
/// Those decisions are the session's; this type only wires the socket, the hub and the metrics.
struct DeviceSession {
    let device: DeviceRecord
    let store: ServerStore
    let hub: BrandHub
    let connections: ConnectionLimiter
    let helloTimeout: HelloTimeout
    let metrics: ServerMetrics
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let transport = WebSocketFrameTransport(outbound: outbound, metrics: metrics)
        let refusal = connections.admit(device.replica)
        if let refusal {
            logger.notice("connection refused", metadata: ["replica": "\(device.replica)", "why": "\(refusal)"])
        } else {
            metrics.update { $0.sockets += 1 }
        }
        await serve(inbound: inbound, transport: transport,
                    admission: refusal.map { ErrorFrame(code: .tooManyConnections, message: $0, retryable: true) })
        if refusal == nil {
            connections.release(device.replica)
            metrics.update { $0.sockets -= 1 }
        }
    }

    private func serve(inbound: WebSocketInboundStream, transport: WebSocketFrameTransport,
                       admission: ErrorFrame?) async {
        let replica: Replica
        do {
            let store = store, brand = device.brand
            replica = try await NIOThreadPool.onStore { try store.brandReplica(brand) }
        } catch {
            metrics.error(ErrorFrame.Code.storageError)
            await transport.refuse(ErrorFrame(code: .storageError, message: (error as? ServerError)?.message ?? "\(error)", retryable: true))
            await transport.close()
            return
        }
        let subscription = hub.subscribe(brand: device.brand, replica: device.replica)
        let scoped = DeviceScopedStore(replica: replica, device: device, hub: hub, metrics: metrics)
        let session = SyncSession.server(replica: store.serverReplica, device: device.scope, admission: admission,
                                         configuration: .process)
        let driver = SyncDriver(session: session, store: scoped, clock: store.clock, crashAt: Failpoint.armedInProcess)
        let device = device, metrics = metrics, logger = logger, helloTimeout = helloTimeout
        let stop = SyncStop()
        let connected = OnceFlag()
        let errors = SessionErrorCount(metrics: metrics)
        // Children return `true` when the session is over; the others are then cancelled.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await transport.pump(inbound)
                return false
            }
            group.addTask {
                for await _ in subscription.revoked {
                    stop.request(ErrorFrame(code: .unauthorized, message: "this device was revoked", retryable: false))
                    await transport.finishInbound(dropBuffered: true)
                    break
                }
                return false
            }
            group.addTask {
                do throws(SyncFailure) {
                    try await driver.run(over: transport, untilCaughtUp: false, localChanges: subscription.changes,
                                         stop: stop, helloTimeout: helloTimeout, storePool: .store) { event in
                        errors.observe(event)
                        if case .connected = event {
                            metrics.update { $0.syncs += 1; $0.connected += 1 }
                            connected.set()
                            logger.info("device connected", metadata: ["brand": "\(device.brand)", "user": "\(device.user)",
                                                                       "replica": "\(device.replica)"])
                        }
                    }
                } catch {
                    errors.ended(with: error)
                    record(error, sentError: errors.sentError)
                }
                if connected.isSet {
                    metrics.update { $0.connected -= 1 }
                    logger.info("device disconnected", metadata: ["replica": "\(device.replica)"])
                }
                hub.unsubscribe(subscription.id)
                await transport.close()
                return true
            }
            while let over = await group.next() {
                if over { group.cancelAll() }
            }
        }
    }

    /// Logs how the session ended (``SessionErrorCount`` counts its errors).
    private func record(_ failure: SyncFailure, sentError: Bool) {
        switch failure {
        case .closed:
            logger.debug("session closed", metadata: ["replica": "\(device.replica)"])
        case .refused(let error):
            logger.info(sentError ? "session refused" : "the device ended the session with an error",
                        metadata: ["replica": "\(device.replica)", "code": "\(error.code)"])
        case .badFrame(let error):
            logger.info("bad frame", metadata: ["replica": "\(device.replica)", "code": "\(error.code)"])
        case .store, .unreachable:
            logger.error("session failed", metadata: ["replica": "\(device.replica)", "error": "\(failure)"])
        }
    }
}

extension DeviceRecord {
    /// What the device's token vouches for, as the sync session checks it.
    var scope: DeviceScope { DeviceScope(replica: replica, brand: brand, user: user) }
}
