import Causality
import Foundation
import InboxModel
import Replica

extension LiveWorld {
    /// Carries out one step with real processes; returns what failed.
    func perform(_ step: Step) throws(ScenarioError) -> [ScenarioFailure] {
        switch step.action {
        case .offline(let names), .online(let names):
            let online = if case .online = step.action { true } else { false }
            for name in names {
                guard let device = device(name), let link = links[name] else { continue }
                device.online = online
                if online { try link.goOnline() } else { link.goOffline() }
                trace.add(1, "\(name): link \(online ? "relays again" : "refuses connections") (127.0.0.1:\(link.port))")
            }
        case .heal:
            for device in devices {
                device.online = true
                device.armedCrash = nil
                links[device.name]?.faults.clear()
                try links[device.name]?.goOnline()
            }
            if serverArmed != nil {
                serverArmed = nil
                try restartServer("heal: the armed crash is cleared")
            }
        case .sync(let names?):
            for name in names { if let device = device(name) { resetTally(of: device) } }
            var failures: [ScenarioFailure] = []
            for name in names { if let device = device(name) { failures += try syncDevice(device) } }
            return failures
        case .sync(nil):
            return try syncAll()
        case .advance(let ms):
            advancedMs += Int64(clamping: ms)
            trace.add(1, "every clock moves on by \(DurationText.text(Int64(clamping: ms))) (OUTPOST_CLOCK_OFFSET_MS)")
            try restartServer("its clock moved on")
        case .clock(let name, let offset):
            if name == "server" {
                serverOffsetMs = offset
                try restartServer("clock \(DurationText.text(offset))")
            } else {
                device(name)?.clock.offsetMs = offset
                trace.add(1, "\(name): clock \(DurationText.text(offset)) from its next command")
            }
        case .enroll(let spec):
            try enroll(spec)
        case .user(let name, let action, let expectError):
            guard let device = device(name) else { return [] }
            return try perform(action, on: device, expectError: expectError)
        case .partner(let event):
            return try partnerWrites(event)
        case .platform(let event):
            return try platformWrites(event)
        case .fault(let fault):
            links[fault.device]?.faults.add(fault)
            trace.add(1, "\(fault.device)'s link will \(fault.kind.rawValue) the next \(fault.count) \(fault.frame.rawValue) frame(s) "
                        + "\(fault.direction.rawValue)" + (fault.skip > 0 ? " after letting \(fault.skip) pass" : ""))
        case .crash(let name, let spec):
            return try crash(name, at: spec)
        case .deliver:
            return try deliver()
        case .expect(let expectation):
            return try check(expectation)
        }
        return []
    }

    /// A crash now (SIGKILL and restart of the server; a device has no process running between
    /// commands, so its next command simply starts from its file) or armed for a named point.
    private func crash(_ name: String, at spec: CrashSpec) throws(ScenarioError) -> [ScenarioFailure] {
        guard let node = node(name) else { return [] }
        if spec.point != .now {
            if node.isServer {
                serverArmed = spec
                try restartServer("armed: kill -9 at \(spec) of its next sync")
            } else if spec.point == .afterAction {
                node.armedCrash = spec
                trace.add(1, "\(name): armed: its next user action's command dies (kill -9) right after it commits")
            } else {
                node.armedCrash = spec
                trace.add(1, "\(name): armed: its next `outpost sync` dies (kill -9) at \(spec)")
            }
            return []
        }
        touched.insert(name)
        let before = try read(node) { replica throws(ReplicaError) in try replica.versionVector() }
        if node.isServer {
            serverProcess.kill9()
            trace.add(1, "server KILLED (kill -9) now; started again from its files")
            try startServer()
        } else {
            trace.add(1, "\(name) CRASHES now: no `outpost` process of it is running; its next command starts from its file")
        }
        return try lostNothing(node, before: before)
    }

    /// After a crash: the node's replica still covers what it had before.
    func lostNothing(_ node: SimNode, before: VersionVector) throws(ScenarioError) -> [ScenarioFailure] {
        let after = try read(node) { replica throws(ReplicaError) in try replica.versionVector() }
        guard after.includes(before) else {
            return [ScenarioFailure(.invariant, node: node.name, "a crash lost committed ops",
                                    expected: "\(before)", actual: "\(after)")]
        }
        return []
    }

    /// One `outpost sync` of a device (with its armed failpoint, if any). A server that died during
    /// it (its own failpoint) is started again.
    func syncDevice(_ device: SimNode) throws(ScenarioError) -> [ScenarioFailure] {
        touched.formUnion([device.name, "server"])
        let before = try read(device) { replica throws(ReplicaError) in try replica.versionVector() }
        let serverBefore = try read(server) { replica throws(ReplicaError) in try replica.versionVector() }
        var environment = environment(of: device)
        if let armed = device.armedCrash?.failpoint { environment[Self.failpointVariable] = armed.description }
        let result = try outpost(["sync", "--replica", device.path], environment: environment)
        for note in links[device.name]?.faults.drainApplied() ?? [] { trace.add(1, "link of \(device.name): \(note)") }
        var failures: [ScenarioFailure] = []
        if result.killed {
            trace.add(1, "sync \(device.name): KILLED (kill -9) at \(device.armedCrash?.description ?? "?")")
            device.armedCrash = nil
            failures += try lostNothing(device, before: before)
        } else if result.succeeded {
            trace.add(1, "sync \(device.name): " + (result.stdout.split(separator: "\n").last.map(String.init) ?? "done"))
        } else {
            trace.add(1, "sync \(device.name): failed: \(result.lastError)")
        }
        if serverProcess.died {
            let killed = serverProcess.diedKilled
            serverProcess.reap()
            trace.add(1, "server " + (killed ? "KILLED itself (kill -9) at \(serverArmed?.description ?? "?")" : "EXITED: \(serverProcess.logTail())")
                      + "; started again from its files")
            if !killed {
                failures.append(ScenarioFailure(.action, node: "server", "the server exited during a sync",
                                                expected: "a running server", actual: serverProcess.logTail()))
            }
            serverArmed = nil
            try startServer()
            failures += try lostNothing(server, before: serverBefore)
        }
        return failures
    }
}
