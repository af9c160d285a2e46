import Causality
import Synchronization

/// Counts the open sync WebSockets, all together and per device, against
/// ``ServerLimits/maxConnections`` and ``ServerLimits/maxConnectionsPerDevice``. A socket takes
/// its slot right after the upgrade (``admit(_:)``) and gives it back when its session ends
/// (``release(_:)``).
final class ConnectionLimiter: Sendable {
    private struct Counts {
        var total = 0
        var perDevice: [ReplicaID: Int] = [:]
    }

    let maxTotal: Int
    let maxPerDevice: Int
    private let counts = Mutex(Counts())

    init(maxTotal: Int, maxPerDevice: Int) {
        self.maxTotal = maxTotal
        self.maxPerDevice = maxPerDevice
    }

    /// Takes a slot for `device`, or says why there is none (the message of `too_many_connections`).
    func admit(_ device: ReplicaID) -> String? {
        counts.withLock { counts in
            if counts.total >= maxTotal {
                return "the server has its limit of \(maxTotal) open sync connections"
            }
            let mine = counts.perDevice[device, default: 0]
            if mine >= maxPerDevice {
                return "this device has its limit of \(maxPerDevice) open sync connections"
            }
            counts.total += 1
            counts.perDevice[device] = mine + 1
            return nil
        }
    }

    /// Gives back a slot that ``admit(_:)`` took.
    func release(_ device: ReplicaID) {
        counts.withLock { counts in
            counts.total -= 1
            let mine = counts.perDevice[device, default: 1] - 1
            counts.perDevice[device] = mine > 0 ? mine : nil
        }
    }

    /// Open sync WebSockets now.
    var open: Int { counts.withLock { $0.total } }
}
