import Causality
import HummingbirdWebSocket
import InboxModel
import Logging
import Replica
import SyncClient
import SyncCore
import Wire

/// One device's live sync session over an upgraded WebSocket: authorises the hello against the
/// token's device, runs the server-side ``SyncDriver`` in live mode against the device-scoped
/// brand replica, and ends the session at once if the device is revoked. The socket takes a slot
/// of the ``ConnectionLimiter`` at the upgrade (without one, its hello gets
/// `too_many_connections`), and must send its hello within the hello timeout (or gets
/// `hello_timeout`).
struct DeviceSession {
    let device: DeviceRecord
    let store: ServerStore
    let hub: BrandHub
    let lock: BrandLock
    let connections: ConnectionLimiter
    let helloTimeout: Duration
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
        await serve(inbound: inbound, transport: transport, refusal: refusal)
        if refusal == nil {
            connections.release(device.replica)
            metrics.update { $0.sockets -= 1 }
        }
    }

    /// Runs the session; with a `refusal` (no connection slot), the hello is answered with
    /// `Error{too_many_connections}` instead of a Welcome, so that the device reads why.
    private func serve(inbound: WebSocketInboundStream, transport: WebSocketFrameTransport, refusal: String?) async {
        let replica: Replica
        do {
            replica = try store.brandReplica(device.brand)
        } catch {
            await transport.refuse(ErrorFrame(code: .storageError, message: error.message, retryable: true))
            await transport.close()
            return
        }
        let subscription = hub.subscribe(brand: device.brand, replica: device.replica)
        let scoped = DeviceScopedStore(replica: replica, device: device, clock: store.clock, lock: lock, hub: hub,
                                       metrics: metrics)
        let device = device
        let metrics = metrics
        let deadline = HelloDeadline()
        let helloTimeout = helloTimeout
        let driver = SyncDriver(store: scoped, transport: transport, clock: store.clock) { hello in
            guard deadline.arrive() else {
                return .failure(ErrorFrame(code: .helloTimeout, message: "the hello came too late", retryable: true))
            }
            if let refusal {
                return .failure(ErrorFrame(code: .tooManyConnections, message: refusal, retryable: true))
            }
            return Self.authorize(hello, device: device, replica: replica)
        }
        let revoked = OnceFlag()
        let connected = OnceFlag()
        // Children return `true` when the session is over; the others are then cancelled.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await transport.pump(inbound)
                return false
            }
            group.addTask {
                for await _ in subscription.revoked {
                    revoked.set()
                    await transport.finishInbound(dropBuffered: true)
                    break
                }
                return false
            }
            group.addTask {
                guard (try? await Task.sleep(for: helloTimeout)) != nil, deadline.expire() else { return false }
                await transport.refuse(ErrorFrame(code: .helloTimeout,
                                                  message: "no hello within \(helloTimeout) of the upgrade",
                                                  retryable: true))
                return false
            }
            group.addTask {
                do {
                    try await driver.run(.server(replica: store.serverReplica), untilCaughtUp: false,
                                         localChanges: subscription.changes) { event in
                        if case .connected = event {
                            metrics.update { $0.syncs += 1; $0.connected += 1 }
                            connected.set()
                            logger.info("device connected", metadata: ["brand": "\(device.brand)", "user": "\(device.user)",
                                                                       "replica": "\(device.replica)"])
                        }
                    }
                } catch {
                    if revoked.isSet {
                        metrics.error(ErrorFrame.Code.unauthorized)
                        let frame = ErrorFrame(code: .unauthorized, message: "this device was revoked", retryable: false)
                        try? await transport.send(FrameCodec.encode(.error(frame)))
                    } else {
                        record(error as? SyncFailure ?? .closed)
                    }
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

    /// Scope comes from the token alone: the hello must name the token's device, and the device
    /// then sees its brand's replica with its user's scope.
    static func authorize(_ hello: Hello, device: DeviceRecord, replica: Replica) -> Result<Authorization, ErrorFrame> {
        guard hello.replica == device.replica, hello.brand == device.brand, hello.user == device.user else {
            return .failure(ErrorFrame(code: .forbidden, message: "the hello does not match this device's token",
                                       retryable: false))
        }
        do {
            return .success(Authorization(have: try replica.versionVector(), viewer: device.user))
        } catch {
            return .failure(ErrorFrame(code: .storageError, message: "\(error)", retryable: true))
        }
    }

    private func record(_ failure: SyncFailure) {
        // If-chains rather than a switch: SyncFailure may grow cases for the device side.
        if case .closed = failure {
            logger.debug("session closed", metadata: ["replica": "\(device.replica)"])
        } else if case .refused(let error) = failure {
            metrics.error(error.code)
            logger.info("session refused", metadata: ["replica": "\(device.replica)", "code": "\(error.code)"])
        } else if case .badFrame(let error) = failure {
            metrics.error(error.code)
            logger.info("bad frame", metadata: ["replica": "\(device.replica)", "code": "\(error.code)"])
        } else {
            metrics.error(ErrorFrame.Code.storageError)
            logger.error("session failed", metadata: ["replica": "\(device.replica)", "error": "\(failure)"])
        }
    }
}
