import Causality
import InboxModel
import Replica
import SyncCore
import SyncEngine
import Wire

/// How one sync session ended.
enum SessionEnd: Equatable {
    case caughtUp
    /// The device is offline: it could not reach the server.
    case unreachable
    /// No frame came for ``Simulator/sessionTimeoutMs``: both sides gave up.
    case timedOut
    /// The connection broke (a `cut` fault).
    case cut
    /// A node crashed (and restarted).
    case crashed(String)
    /// A side sent an error frame.
    case failed(code: String, message: String)

    var text: String {
        switch self {
        case .caughtUp: "caught up"
        case .unreachable: "unreachable (offline)"
        case .timedOut: "timed out"
        case .cut: "connection cut"
        case .crashed(let node): "\(node) crashed"
        case .failed(let code, let message): "failed: \(code): \(message)"
        }
    }
}

extension Simulator {
    /// One sync session of `device` with the server, run to its end.
    func sync(_ device: SimNode) throws(ScenarioError) -> SessionEnd {
        guard device.online else {
            trace.add(1, "sync \(device.name): offline, the server cannot be reached")
            return .unreachable
        }
        var run = try SessionRun(simulator: self, device: device, link: link(device))
        let end = try run.run()
        link(device).reset()
        touched.formUnion([device.name, "server"])
        trace.add(1, "sync \(device.name): \(end.text)")
        return end
    }
}

/// One session between a device and the server over the simulated link: the device's and the
/// server's ``SyncDriver``s, the same driver every real sync runs, stepped one frame at a time in
/// virtual time so that a scenario replays exactly. The simulator only carries the frames (with the
/// link's faults), keeps the trace, and crashes a node at its armed ``Failpoint``.
struct SessionRun {
    let simulator: Simulator
    let device: SimNode
    let server: SimNode
    let link: SimLink
    var deviceDriver: SyncDriver
    var serverDriver: SyncDriver
    var flights: [Flight] = []
    var caughtUp = (device: false, server: false)
    var end: SessionEnd?
    var lastActivity: UInt64

    init(simulator: Simulator, device: SimNode, link: SimLink) throws(ScenarioError) {
        self.simulator = simulator
        self.device = device
        self.link = link
        server = simulator.server
        guard let scope = device.scope else {
            throw ScenarioError("simulation", "\(device.name) has no user: only devices sync")
        }
        let deviceSession = SyncSession.device(replica: device.identity.replica, brand: device.identity.brand,
                                               user: device.user, configuration: simulator.configuration)
        let serverSession = SyncSession.server(replica: server.identity.replica, device: scope,
                                               configuration: simulator.configuration)
        deviceDriver = SyncDriver(session: deviceSession, store: SimStore(node: device, simulator: simulator),
                                  clock: device.clock, crashAt: device.armedCrash?.failpoint)
        serverDriver = SyncDriver(session: serverSession, store: SimStore(node: server, simulator: simulator, peer: device.identity.replica),
                                  clock: server.clock, crashAt: server.armedCrash?.failpoint)
        lastActivity = simulator.clock.nowMilliseconds()
    }

    mutating func run() throws(ScenarioError) -> SessionEnd {
        try handle(deviceDriver.start(), onDevice: true)
        while end == nil {
            if caughtUp.device && caughtUp.server { return .caughtUp }
            if flights.isEmpty { flights = link.releaseAllHeld() }
            guard let index = flights.indices.min(by: { (flights[$0].deliverAt, flights[$0].sequence)
                                                        < (flights[$1].deliverAt, flights[$1].sequence) }) else {
                simulator.clock.advance(to: lastActivity + Simulator.sessionTimeoutMs)
                return .timedOut
            }
            let flight = flights.remove(at: index)
            if flight.deliverAt > lastActivity + Simulator.sessionTimeoutMs {
                simulator.clock.advance(to: lastActivity + Simulator.sessionTimeoutMs)
                return .timedOut
            }
            simulator.clock.advance(to: flight.deliverAt)
            lastActivity = simulator.clock.nowMilliseconds()
            if flight.up {
                try handle(serverDriver.receive(flight.bytes), onDevice: false)
            } else {
                try handle(deviceDriver.receive(flight.bytes), onDevice: true)
            }
        }
        return end ?? .caughtUp
    }

    /// Carries a side's step: its frames onto the link, its events into the trace, its end.
    private mutating func handle(_ step: SyncDriver.Step, onDevice: Bool) throws(ScenarioError) {
        let node = onDevice ? device : server
        for event in step.events {
            // What a device's sync client records of a session, so that its own messages show
            // `queued` once acknowledged, as on a real device.
            if onDevice, let change = SyncState.change(for: event) {
                try call(node) { replica throws(ReplicaError) in try replica.updateSyncState(change) }
            }
            switch event {
            case .connected(let peer, let skew, _):
                simulator.trace.add(2, "\(node.name) connected to \(peer), clock skew \(DurationText.text(skew))")
            case .applied:
                // The ack of what the node applied is in this step's frames.
                if step.end != .crashed(.afterCommit) {
                    node.acknowledged.join(try call(node) { replica throws(ReplicaError) in try replica.versionVector() })
                }
            case .caughtUp:
                if onDevice { caughtUp.device = true } else { caughtUp.server = true }
            case .acknowledged:
                break
            case .errorSent, .sent:
                break
            case .helloResent:
                simulator.trace.add(2, "\(node.name): the server did not know its vector base; hello sent again, whole")
            }
        }
        for frame in step.frames where end == nil { send(frame, up: onDevice) }
        switch step.end {
        case nil:
            break
        case .crashed(let point)?:
            try crash(node, point)
        case .failed(let failure)?:
            let (code, message) = Self.describe(failure)
            simulator.trace.add(2, "\(node.name) ends the session: \(code): \(message)")
            if end == nil { end = .failed(code: code, message: message) }
        }
    }

    private mutating func crash(_ node: SimNode, _ point: Failpoint) throws(ScenarioError) {
        let when = switch point {
        case .beforeCommit: "before committing a received batch"
        case .afterCommit: "after committing a received batch, before its ack"
        case .midBatch: "mid-batch, after acknowledging a batch of several"
        case .afterAction: "after an action"
        }
        let which = (node.armedCrash?.failpoint?.batch).map { batch in
            switch batch {
            case .number(let number): " (received batch \(number))"
            case .progress(let percent): " (at \(percent)% of what it lacked)"
            }
        } ?? ""
        simulator.trace.add(2, "\(node.name) CRASHES \(when)\(which); restarts from its file")
        end = .crashed(node.name)
        try simulator.crash(node)
    }

    private mutating func send(_ bytes: [UInt8], up: Bool) {
        let message: WireMessage
        do {
            message = try FrameCodec.decode(bytes)
        } catch {
            end = .failed(code: error.code.rawValue, message: "a frame the simulator carried did not decode: \(error)")
            return
        }
        let kind = Self.kind(message)
        simulator.tallies[device.name, default: WireTally()].count(message, bytes: bytes.count, up: up)
        simulator.trace.add(2, "\(up ? "\(device.name) → server" : "server → \(device.name)"): \(Self.describe(message)) (\(bytes.count) B)")
        let jitter = UInt64(simulator.rng.int(below: 10))
        switch link.transmit(bytes, kind: kind, up: up, nowMs: simulator.clock.nowMilliseconds(), jitterMs: jitter) {
        case .deliver(let new, let note):
            if let note { simulator.trace.add(3, "network: \(note)") }
            flights += new
        case .cut(let note):
            simulator.trace.add(3, "network: \(note): the connection breaks")
            end = .cut
        }
    }

    private func call<T>(_ node: SimNode, _ body: (Replica) throws(ReplicaError) -> T) throws(ScenarioError) -> T {
        do {
            return try body(node.replica)
        } catch {
            throw ScenarioError("simulation", "\(node.name)'s replica failed: \(error.message)")
        }
    }

    static func describe(_ failure: SyncFailure) -> (code: String, message: String) {
        switch failure {
        case .refused(let error): (error.code.rawValue, error.message)
        case .badFrame(let error): (error.code.rawValue, error.description)
        case .closed: ("closed", failure.description)
        case .store(let message): ("storage_error", message)
        case .unreachable(let message): ("unreachable", message)
        }
    }

    static func kind(_ message: WireMessage) -> Fault.FrameKind {
        switch message {
        case .hello: .hello
        case .welcome: .welcome
        case .ops: .ops
        case .ack: .ack
        case .error: .error
        }
    }

    static func describe(_ message: WireMessage) -> String {
        switch message {
        case .hello(let hello): "hello have \(hello.have)"
        case .welcome(let welcome): "welcome have \(welcome.have)"
        case .ops(let batch): "ops #\(batch.batch) (\(batch.ops.count) ops, more \(batch.more))"
        case .ack(let ack): "ack #\(ack.batch) have \(ack.have)"
        case .error(let error): "error \(error.code): \(error.message)"
        }
    }
}
