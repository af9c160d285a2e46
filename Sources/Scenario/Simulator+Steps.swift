import Causality
import InboxModel
import Replica

extension Simulator {
    /// Carries out one step; returns what failed (expectations, refused actions).
    func perform(_ step: Step) throws(ScenarioError) -> [ScenarioFailure] {
        clock.advance(by: 1_000)
        switch step.action {
        case .offline(let names), .online(let names):
            let online = if case .online = step.action { true } else { false }
            for name in names { device(name)?.online = online }
        case .heal:
            for device in devices {
                device.online = true
                device.armedCrash = nil
                link(device).faults = []
            }
            server.armedCrash = nil
        case .sync(let names?):
            for name in names { if let device = device(name) { resetTally(of: device) } }
            for name in names { if let device = device(name) { _ = try sync(device) } }
        case .sync(nil):
            return try syncAll()
        case .advance(let ms):
            clock.advance(by: ms)
        case .clock(let name, let offset):
            node(name)?.clock.offsetMs = offset
        case .enroll(let spec):
            try enroll(spec)
        case .user(let name, let action, let expectError):
            guard let device = device(name) else { return [] }
            return try perform(action, on: device, expectError: expectError)
        case .partner(let event):
            return partnerWrites(event)
        case .platform(let event):
            return platformWrites(event)
        case .fault(let fault):
            if let device = device(fault.device) { link(device).faults.append(fault) }
        case .crash(let name, let spec):
            guard let node = node(name) else { return [] }
            if spec.point == .now {
                trace.add(1, "\(name) CRASHES now; restarts from its file")
                return try crash(node)
            }
            node.armedCrash = spec
        case .deliver:
            return try deliver()
        case .expect(let expectation):
            return try check(expectation)
        }
        return []
    }

    func syncDevice(_ device: SimNode) throws(ScenarioError) -> [ScenarioFailure] {
        _ = try sync(device)
        return []
    }

    /// The node dies and restarts from its file; what it had committed (and so acknowledged) must
    /// still be there.
    @discardableResult
    func crash(_ node: SimNode) throws(ScenarioError) -> [ScenarioFailure] {
        let before = try read(node) { replica throws(ReplicaError) in try replica.versionVector() }
        try node.restart()
        touched.insert(node.name)
        let after = try read(node) { replica throws(ReplicaError) in try replica.versionVector() }
        guard after.includes(before), after.includes(node.acknowledged) else {
            return [ScenarioFailure(.invariant, node: node.name, "a crash lost committed or acknowledged ops",
                                    expected: "\(before.joined(with: node.acknowledged))", actual: "\(after)")]
        }
        return []
    }
}
