/// One frame on its way.
struct Flight {
    var deliverAt: UInt64
    var sequence: Int
    /// Device to server.
    var up: Bool
    var bytes: [UInt8]
    var kind: Fault.FrameKind
}

/// A device's link to the server, with the faults the scenario queued on it.
final class SimLink {
    /// How long a frame takes, in virtual ms.
    static let latencyMs: UInt64 = 5

    var faults: [Fault] = []
    /// Frames held back by `reorder`, released after the next frame in their direction.
    private(set) var held: [Flight] = []
    private var sequence = 0
    /// When the last ordinary frame of each direction arrives (up, down): frames keep their order.
    private var lastArrival = (up: UInt64(0), down: UInt64(0))

    enum Outcome {
        case deliver([Flight], note: String?)
        case cut(note: String)
    }

    /// What becomes of a frame sent now; `jitterMs` is added to the latency (frames of one
    /// direction still arrive in order unless a fault says otherwise).
    func transmit(_ bytes: [UInt8], kind: Fault.FrameKind, up: Bool, nowMs: UInt64, jitterMs: UInt64) -> Outcome {
        sequence += 1
        let arrival = max(nowMs + Self.latencyMs + jitterMs, up ? lastArrival.up : lastArrival.down)
        if up { lastArrival.up = arrival } else { lastArrival.down = arrival }
        var flight = Flight(deliverAt: arrival, sequence: sequence, up: up, bytes: bytes, kind: kind)
        var flights: [Flight] = []
        var note: String?
        if let fault = Fault.take(from: &faults, kind: kind, up: up) {
            note = "\(fault.kind.rawValue) \(kind.rawValue) frame \(up ? "up" : "down")"
            switch fault.kind {
            case .drop:
                return .deliver(releaseHeld(after: nil, up: up), note: note)
            case .cut:
                return .cut(note: note ?? "cut")
            case .delay:
                // The link stalls: frames behind this one wait for it (a byte stream keeps order).
                flight.deliverAt += fault.delayMs
                if up { lastArrival.up = flight.deliverAt } else { lastArrival.down = flight.deliverAt }
                note! += " by \(DurationText.text(Int64(clamping: fault.delayMs)))"
            case .duplicate:
                var copy = flight
                sequence += 1
                copy.sequence = sequence
                flights.append(copy)
            case .reorder:
                held.append(flight)
                return .deliver([], note: note)
            case .truncate, .corrupt:
                flight.bytes = fault.damaged(bytes)
            }
        }
        flights.insert(flight, at: 0)
        return .deliver(flights + releaseHeld(after: flight, up: up), note: note)
    }

    /// Held frames of this direction now travel behind `after`.
    private func releaseHeld(after: Flight?, up: Bool) -> [Flight] {
        let released = held.filter { $0.up == up }
        held.removeAll { $0.up == up }
        return released.map { flight in
            var flight = flight
            sequence += 1
            flight.sequence = sequence
            flight.deliverAt = max(flight.deliverAt, after?.deliverAt ?? flight.deliverAt)
            return flight
        }
    }

    /// Everything still held, in order (the session found nothing else to deliver).
    func releaseAllHeld() -> [Flight] {
        defer { held = [] }
        return held
    }

    /// The connection is gone: held frames are lost with it.
    func reset() {
        held = []
        lastArrival = (0, 0)
    }
}
