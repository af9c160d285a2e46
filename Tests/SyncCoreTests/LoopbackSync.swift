import Causality
import InboxModel
import Replica
import SyncCore
import Wire

/// Runs one device session against one server session, both over real replicas, passing every
/// message through the frame codec as bytes. The test-side driver that SyncClient and the
/// scenario harness will grow from.
struct LoopbackSync {
    struct Outcome {
        var framesToServer = 0
        var framesToDevice = 0
        var bytesToServer = 0
        var bytesToDevice = 0
        var caughtUp = (device: false, server: false)
        var failure: ErrorFrame?
    }

    let device: Replica
    let server: Replica
    var configuration = SyncConfiguration.default
    var clockMs: UInt64 = 1_800_000_000_000

    func run() throws -> Outcome {
        var outcome = Outcome()
        var deviceSession = SyncSession.device(replica: device.identity.replica, brand: device.identity.brand,
                                               user: device.identity.viewer, configuration: configuration)
        var serverSession = SyncSession.server(replica: server.identity.replica, configuration: configuration)
        var toServer: [[UInt8]] = []
        var toDevice: [[UInt8]] = []
        try handle(deviceSession.start(have: try device.versionVector(), clockMs: clockMs), &deviceSession, device,
                   outbox: &toServer, outcome: &outcome, isDevice: true)
        var rounds = 0
        while !(toServer.isEmpty && toDevice.isEmpty) && outcome.failure == nil {
            rounds += 1
            if rounds > 100_000 { throw LoopbackError.runaway }
            if !toServer.isEmpty {
                let bytes = toServer.removeFirst()
                outcome.framesToServer += 1
                outcome.bytesToServer += bytes.count
                let message = try FrameCodec.decode(bytes)
                try handle(serverSession.receive(message, clockMs: clockMs), &serverSession, server, outbox: &toDevice,
                           outcome: &outcome, isDevice: false)
            }
            if !toDevice.isEmpty {
                let bytes = toDevice.removeFirst()
                outcome.framesToDevice += 1
                outcome.bytesToDevice += bytes.count
                let message = try FrameCodec.decode(bytes)
                try handle(deviceSession.receive(message, clockMs: clockMs), &deviceSession, device, outbox: &toServer,
                           outcome: &outcome, isDevice: true)
            }
        }
        return outcome
    }

    private func handle(_ initial: [SyncAction], _ session: inout SyncSession, _ replica: Replica,
                        outbox: inout [[UInt8]], outcome: inout Outcome, isDevice: Bool) throws {
        var queue = initial
        while !queue.isEmpty {
            let action = queue.removeFirst()
            switch action {
            case .send(let message):
                outbox.append(try FrameCodec.encode(message))
            case .authorize:
                queue += session.welcome(have: try replica.versionVector(), clockMs: clockMs)
            case .loadOps(let missing, let limit):
                let (ops, more) = try replica.ops(missingFrom: missing, limit: limit)
                queue += session.opsLoaded(ops, more: more)
            case .apply(let batch):
                do {
                    try replica.apply(batch.ops)
                    queue += session.applied(batch: batch.batch, have: try replica.versionVector())
                } catch {
                    queue += session.applyFailed(ErrorFrame(code: ErrorFrame.Code(rawValue: error.code.rawValue), message: error.message,
                                                            retryable: false))
                }
            case .peerAcknowledged, .connected:
                break
            case .caughtUp:
                if isDevice { outcome.caughtUp.device = true } else { outcome.caughtUp.server = true }
            case .failed(let error):
                outcome.failure = error
            }
        }
    }

    enum LoopbackError: Error { case runaway }
}
