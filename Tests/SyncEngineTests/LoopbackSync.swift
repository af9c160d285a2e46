import Causality
import InboxModel
import Replica
import SyncCore
import SyncEngine
import Wire

/// Runs one device session against one server session, both over real replicas, through the one
/// ``SyncDriver`` stepped in turn, in one thread: every message passes through the frame codec
/// as bytes. The server vouches for the device as its token would (its replica, brand and user).
struct LoopbackSync {
    struct Outcome {
        var framesToServer = 0
        var framesToDevice = 0
        var bytesToServer = 0
        var bytesToDevice = 0
        var caughtUp = (device: false, server: false)
        var failure: SyncFailure?
    }

    let device: Replica
    let server: Replica
    var configuration = SyncConfiguration.default
    var clockMs: UInt64 = 1_800_000_000_000

    func run() throws -> Outcome {
        var outcome = Outcome()
        let clock = FixedClock(milliseconds: clockMs)
        let identity = device.identity
        let scope = DeviceScope(replica: identity.replica, brand: identity.brand, user: identity.viewer!)
        var deviceDriver = SyncDriver(
            session: .device(replica: identity.replica, brand: identity.brand, user: identity.viewer,
                             configuration: configuration),
            store: device, clock: clock)
        var serverDriver = SyncDriver(
            session: .server(replica: server.identity.replica, device: scope, configuration: configuration),
            store: server, clock: clock)
        var toServer: [[UInt8]] = []
        var toDevice: [[UInt8]] = []
        func take(_ step: SyncDriver.Step, onDevice: Bool) {
            if onDevice { toServer += step.frames } else { toDevice += step.frames }
            if step.caughtUp {
                if onDevice { outcome.caughtUp.device = true } else { outcome.caughtUp.server = true }
            }
            if case .failed(let failure)? = step.end, outcome.failure == nil { outcome.failure = failure }
        }
        take(deviceDriver.start(), onDevice: true)
        var rounds = 0
        while !(toServer.isEmpty && toDevice.isEmpty) && outcome.failure == nil {
            rounds += 1
            if rounds > 100_000 { throw LoopbackError.runaway }
            if !toServer.isEmpty {
                let bytes = toServer.removeFirst()
                outcome.framesToServer += 1
                outcome.bytesToServer += bytes.count
                take(serverDriver.receive(bytes), onDevice: false)
            }
            if !toDevice.isEmpty {
                let bytes = toDevice.removeFirst()
                outcome.framesToDevice += 1
                outcome.bytesToDevice += bytes.count
                take(deviceDriver.receive(bytes), onDevice: true)
            }
        }
        return outcome
    }

    enum LoopbackError: Error { case runaway }
}
