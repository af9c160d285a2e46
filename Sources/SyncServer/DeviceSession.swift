import Causality
import HummingbirdWebSocket
import InboxModel
import Logging
import Replica
import SyncClient
import SyncCore
import Synchronization
import Wire

/// One device's live sync session over an upgraded WebSocket: authorises the hello against the
/// token's device, runs the server-side ``SyncDriver`` in live mode against the device-scoped
/// brand replica, and ends the session at once if the device is revoked.
struct DeviceSession {
    let device: DeviceRecord
    let store: ServerStore
    let hub: BrandHub
    let lock: BrandLock
    let metrics: ServerMetrics
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let transport = WebSocketFrameTransport(outbound: outbound, metrics: metrics)
        let replica: Replica
        do {
            replica = try store.brandReplica(device.brand)
        } catch {
            metrics.error(error.code)
            try? await transport.send(FrameCodec.encode(.error(ErrorFrame(code: "storage_error", message: error.message,
                                                                              retryable: true))))
            await transport.close()
            return
        }
        let subscription = hub.subscribe(brand: device.brand, replica: device.replica)
        let scoped = DeviceScopedStore(replica: replica, device: device, clock: store.clock, lock: lock, hub: hub,
                                       metrics: metrics)
        let device = device
        let metrics = metrics
        let driver = SyncDriver(store: scoped, transport: transport, clock: store.clock) { hello in
            Self.authorize(hello, device: device, replica: replica)
        }
        let revoked = Flag()
        let connected = Flag()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: WireLimits.default.maxFrameBytes) {
                        await transport.deliver(message)
                    }
                } catch {}
                await transport.finishInbound()
            }
            group.addTask {
                for await _ in subscription.revoked {
                    revoked.set()
                    await transport.finishInbound(dropBuffered: true)
                    break
                }
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
                        metrics.error("unauthorized")
                        let frame = ErrorFrame(code: "unauthorized", message: "this device was revoked", retryable: false)
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
            }
        }
    }

    /// Scope comes from the token alone: the hello must name the token's device, and the device
    /// then sees its brand's replica with its user's scope.
    static func authorize(_ hello: Hello, device: DeviceRecord, replica: Replica) -> Result<Authorization, ErrorFrame> {
        guard hello.replica == device.replica, hello.brand == device.brand, hello.user == device.user else {
            return .failure(ErrorFrame(code: "forbidden", message: "the hello does not match this device's token",
                                       retryable: false))
        }
        do {
            return .success(Authorization(have: try replica.versionVector(), viewer: device.user))
        } catch {
            return .failure(ErrorFrame(code: "storage_error", message: "\(error)", retryable: true))
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
            metrics.error("storage_error")
            logger.error("session failed", metadata: ["replica": "\(device.replica)", "error": "\(failure)"])
        }
    }
}

/// A flag set once, read from any task.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
