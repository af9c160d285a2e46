import Causality
import InboxModel
import Replica

/// What the checks of a run need of the world the scenario runs in: the replicas of the server and
/// of each device, and the labels the steps gave to threads and drafts. The deterministic
/// ``Simulator`` is one world; ``LiveWorld`` (real `outpost` processes) is the other. The
/// expectations (`Simulator+Expect.swift`, written against this protocol) and the invariants
/// (``InvariantChecker``) are the same code for both.
protocol ScenarioWorld: AnyObject {
    var document: ScenarioDocument { get }
    /// The server's replica (for the live world: its brand replica file, opened beside the server).
    var server: SimNode! { get }
    var devices: [SimNode] { get }
    var labels: [String: ConversationID] { get }
    var composeKeys: [String: DraftKey] { get }
    var trace: Trace { get set }
    /// Nodes whose state may have changed since the last invariant check.
    var touched: Set<String> { get set }
    /// The run's seeded randomness (the order devices sync in `sync: all`).
    var rng: SplitMix64 { get set }

    /// Carries out one step; returns what failed (expectations, refused actions, invariants the
    /// step itself checks, such as a crash losing nothing).
    func perform(_ step: Step) throws(ScenarioError) -> [ScenarioFailure]
    /// One sync session of a device; what it found wrong (a crash that lost ops).
    func syncDevice(_ device: SimNode) throws(ScenarioError) -> [ScenarioFailure]
    /// Every copy of mail the delivery handed over so far, in order.
    var mailbox: [ReceivedMail] { get }
    /// What crossed the device's link since its tally was last reset (the start of its last
    /// `sync` step).
    func tally(of device: SimNode) -> WireTally
    /// A `sync` step begins for `device`: its tally starts again from zero.
    func resetTally(of device: SimNode)
}

extension ScenarioWorld {
    var nodes: [SimNode] { [server] + devices }

    func device(_ name: String) -> SimNode? { devices.first { $0.name == name } }

    func node(_ name: String) -> SimNode? { name == "server" ? server : device(name) }

    /// The label of a conversation, for messages and traces.
    func label(of conversation: ConversationID) -> String {
        labels.first { $0.value == conversation }?.key ?? conversation.description
    }

    func read<T>(_ node: SimNode, _ body: (Replica) throws(ReplicaError) -> T) throws(ScenarioError) -> T {
        do {
            return try body(node.replica)
        } catch {
            throw ScenarioError("simulation", "\(node.name)'s replica failed: \(error.message)")
        }
    }

    /// Traces a user action that was done (`refusal == nil`) or refused, and judges it against the
    /// step's `error:` (and the file's `lenient`).
    func outcome(of action: UserAction, on device: SimNode, refusal: (code: String, message: String)?,
                 expectError: String?) -> [ScenarioFailure] {
        let what = Simulator.describe(action)
        guard let refusal else {
            trace.add(1, "\(device.name): \(what)")
            guard let expectError else { return [] }
            return [ScenarioFailure(.action, node: device.name, "\(what) succeeded", expected: "error \(expectError)",
                                    actual: "success")]
        }
        let actual = "error \(refusal.code): \(refusal.message)"
        trace.add(1, "\(device.name): \(what) refused: \(refusal.code): \(refusal.message)")
        if let expectError {
            if expectError == refusal.code { return [] }
            return [ScenarioFailure(.action, node: device.name, "\(what) failed differently",
                                    expected: "error \(expectError)", actual: actual)]
        }
        if document.lenient { return [] }
        return [ScenarioFailure(.action, node: device.name, "\(what) was refused", expected: "success", actual: actual)]
    }

    /// Every online device syncs, in rounds (in a seeded random order), until every online device
    /// has what the server has, or a round moves nothing (at most 4 rounds).
    func syncAll() throws(ScenarioError) -> [ScenarioFailure] {
        var failures: [ScenarioFailure] = []
        for device in devices { resetTally(of: device) }
        for _ in 0..<4 {
            let before = try vectors()
            let online = devices.filter(\.online)
            for device in online.shuffled(using: &rng) { failures += try syncDevice(device) }
            let after = try vectors()
            if after == before || after.dropFirst().enumerated().allSatisfy({ !devices[$0.offset].online || $0.element == after[0] }) {
                break
            }
        }
        return failures
    }

    private func vectors() throws(ScenarioError) -> [VersionVector] {
        var result: [VersionVector] = []
        for node in nodes { result.append(try read(node) { replica throws(ReplicaError) in try replica.versionVector() }) }
        return result
    }
}
