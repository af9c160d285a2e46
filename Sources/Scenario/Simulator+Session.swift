import Causality
import InboxModel
import Replica
import SyncCore
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
        var run = SessionRun(simulator: self, device: device, link: link(device))
        let end = try run.run()
        link(device).reset()
        touched.formUnion([device.name, "server"])
        trace.add(1, "sync \(device.name): \(end.text)")
        return end
    }
}

/// One session between a device and the server over the simulated link.
struct SessionRun {
    let simulator: Simulator
    let device: SimNode
    let server: SimNode
    let link: SimLink
    var deviceSession: SyncSession
    var serverSession: SyncSession
    var flights: [Flight] = []
    var caughtUp = (device: false, server: false)
    var end: SessionEnd?
    var lastActivity: UInt64

    init(simulator: Simulator, device: SimNode, link: SimLink) {
        self.simulator = simulator
        self.device = device
        self.link = link
        server = simulator.server
        deviceSession = .device(replica: device.identity.replica, brand: device.identity.brand, user: device.user,
                                configuration: simulator.configuration)
        serverSession = .server(replica: server.identity.replica, configuration: simulator.configuration)
        lastActivity = simulator.clock.nowMilliseconds()
    }

    mutating func run() throws(ScenarioError) -> SessionEnd {
        let have = try call(device) { replica throws(ReplicaError) in try replica.versionVector() }
        try handle(deviceSession.start(have: have, clockMs: device.clock.nowMilliseconds()), onDevice: true)
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
            let message: WireMessage
            do {
                message = try FrameCodec.decode(flight.bytes)
            } catch {
                throw ScenarioError("simulation", "a frame the simulator carried did not decode: \(error)")
            }
            if flight.up {
                try handle(serverSession.receive(message, clockMs: server.clock.nowMilliseconds()), onDevice: false)
            } else {
                try handle(deviceSession.receive(message, clockMs: device.clock.nowMilliseconds()), onDevice: true)
            }
        }
        return end ?? .caughtUp
    }

    /// Carries out a side's actions, as `SyncDriver.perform` does, with the server's scope checks
    /// and the crash points of the scenario.
    private mutating func handle(_ initial: [SyncAction], onDevice: Bool) throws(ScenarioError) {
        var queue = initial
        let node = onDevice ? device : server
        while !queue.isEmpty, end == nil {
            let action = queue.removeFirst()
            switch action {
            case .send(let message):
                send(message, up: onDevice)
            case .authorize(let hello):
                guard hello.replica == device.identity.replica, hello.brand == device.identity.brand,
                      hello.user == device.user else {
                    queue += serverSession.refuse(ErrorFrame(code: .forbidden, message: "the hello does not match the device",
                                                             retryable: false))
                    continue
                }
                let have = try call(server) { replica throws(ReplicaError) in try replica.versionVector() }
                queue += serverSession.welcome(have: have, clockMs: server.clock.nowMilliseconds())
            case .loadOps(let missing, let limit):
                let (ops, more) = try call(node) { replica throws(ReplicaError) in
                    try replica.ops(missingFrom: missing, limit: limit)
                }
                let scoped = onDevice ? ops : ops.map { $0.scoped(to: device.user) }
                queue += onDevice ? deviceSession.opsLoaded(scoped, more: more)
                                  : serverSession.opsLoaded(scoped, more: more)
            case .apply(let batch):
                queue += try apply(batch, on: node, onDevice: onDevice)
            case .peerAcknowledged:
                break
            case .connected(let peer, _, let skew):
                simulator.trace.add(2, "\(node.name) connected to \(peer), clock skew \(DurationText.text(skew))")
            case .caughtUp:
                if onDevice { caughtUp.device = true } else { caughtUp.server = true }
            case .failed(let error):
                simulator.trace.add(2, "\(node.name) ends the session: \(error.code): \(error.message)")
                end = .failed(code: error.code.rawValue, message: error.message)
            }
        }
    }

    private mutating func apply(_ batch: OpBatch, on node: SimNode, onDevice: Bool) throws(ScenarioError) -> [SyncAction] {
        simulator.trace.add(2, "\(node.name) applies batch \(batch.batch): \(batch.ops.count) ops, more \(batch.more)")
        for op in batch.ops { simulator.trace.add(3, OpText.describe(op, simulator: simulator)) }
        if node.armedCrash == .beforeCommit {
            try crash(node, "before committing batch \(batch.batch)")
            return []
        }
        if !onDevice, let scope = device.scope {
            let have = try call(server) { replica throws(ReplicaError) in try replica.versionVector() }
            if let refusal = scope.refusal(of: batch.ops, serverHas: have, nowMs: server.clock.nowMilliseconds()) {
                return serverSession.applyFailed(ErrorFrame(code: .invalidOp, message: refusal, retryable: false))
            }
        }
        let have: VersionVector
        do {
            try node.replica.apply(batch.ops)
            have = try node.replica.versionVector()
        } catch {
            let frame = ErrorFrame(code: ErrorFrame.Code(rawValue: error.code.rawValue), message: error.message, retryable: false)
            return onDevice ? deviceSession.applyFailed(frame) : serverSession.applyFailed(frame)
        }
        if node.armedCrash == .afterCommit {
            try crash(node, "after committing batch \(batch.batch), before its ack")
            return []
        }
        node.acknowledged.join(have)
        var actions = onDevice ? deviceSession.applied(batch: batch.batch, have: have)
                               : serverSession.applied(batch: batch.batch, have: have)
        if node.armedCrash == .midBatch, batch.more {
            // The ack goes out; then the node dies with the rest of the exchange still to come.
            for case .send(let message) in actions { send(message, up: onDevice) }
            actions = []
            try crash(node, "mid-batch, after acknowledging batch \(batch.batch) of several")
        }
        return actions
    }

    private mutating func crash(_ node: SimNode, _ when: String) throws(ScenarioError) {
        simulator.trace.add(2, "\(node.name) CRASHES \(when); restarts from its file")
        end = .crashed(node.name)
        try simulator.crash(node)
    }

    private mutating func send(_ message: WireMessage, up: Bool) {
        let bytes: [UInt8]
        do {
            bytes = try FrameCodec.encode(message)
        } catch {
            end = .failed(code: "frame_invalid", message: "\(error)")
            return
        }
        let kind = Self.kind(message)
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
