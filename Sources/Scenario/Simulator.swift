import Causality
import Foundation
import InboxModel
import Replica
import SyncCore

/// Runs a scenario's world in one process, deterministically: a virtual clock, a real replica file
/// for the server and for each device, and the real ``SyncSession`` state machine on both ends of
/// every sync, its frames encoded and decoded by the real wire codec and carried by a simulated
/// network that can lose, repeat, reorder, delay or cut them.
///
/// Both ends of every sync are the one `SyncDriver` that real devices and the server run; the
/// simulator steps them itself, one frame at a time in virtual time, instead of through the
/// driver's async runner, whose interleaving would depend on the scheduler: a scenario must replay
/// exactly.
final class Simulator: ScenarioWorld {
    static let serverReplica = ReplicaID(1)
    /// A session with no frame for this long is abandoned (both sides time out).
    static let sessionTimeoutMs: UInt64 = 30_000

    let document: ScenarioDocument
    let clock: VirtualClock
    let directory: String
    let configuration: SyncConfiguration
    private(set) var server: SimNode!
    private(set) var devices: [SimNode] = []
    private var links: [String: SimLink] = [:]
    var labels: [String: ConversationID] = [:]
    var composeKeys: [String: DraftKey] = [:]
    var trace: Trace
    /// The run's seeded randomness: network jitter and the order devices sync in `sync: all`.
    var rng: SplitMix64
    /// Nodes whose state may have changed since the last invariant check.
    var touched: Set<String> = []
    /// Every copy of mail the simulated delivery handed over.
    var mailbox: [ReceivedMail] = []
    /// What crossed each device's link in its last `sync` step.
    var tallies: [String: WireTally] = [:]
    private var nextDevice: UInt64 = 0xd1

    init(document: ScenarioDocument, seed: UInt64, trace: Bool) throws(ScenarioError) {
        self.document = document
        rng = SplitMix64(seed: seed)
        self.trace = Trace(enabled: trace)
        clock = VirtualClock(startMs: document.startMs)
        configuration = SyncConfiguration(maxOpsPerBatch: document.batchSize ?? 2_000)
        let base = Self.scratchDirectory()
        directory = (base as NSString).appendingPathComponent("outpost-scenario-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ScenarioError("simulation", "cannot make a temporary directory: \(error.localizedDescription)")
        }
        server = try SimNode(name: "server",
                             identity: ReplicaIdentity(replica: Self.serverReplica, brand: document.brand, viewer: nil),
                             directory: directory, clock: NodeClock(base: clock, offsetMs: 0))
        try setUpBrand()
        self.trace.add(0, "set-up: brand \(document.brand), \(document.users.count) users, \(document.partners.count) partners; each device syncs once")
        for device in document.devices { try enroll(device) }
        for device in devices { _ = try sync(device) }
        touched = Set(devices.map(\.name) + ["server"])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Where replica files go: `$OUTPOST_SCENARIO_TMP`, else /dev/shm when there is one (crashes
    /// and restarts need files, and memory-backed files keep a fuzz run fast), else the temp dir.
    static func scratchDirectory() -> String {
        if let path = ProcessInfo.processInfo.environment["OUTPOST_SCENARIO_TMP"], !path.isEmpty { return path }
        if FileManager.default.isWritableFile(atPath: "/dev/shm") { return "/dev/shm" }
        return FileManager.default.temporaryDirectory.path
    }

    func tally(of device: SimNode) -> WireTally { tallies[device.name] ?? WireTally() }

    func resetTally(of device: SimNode) { tallies[device.name] = WireTally() }

    func link(_ device: SimNode) -> SimLink {
        if let link = links[device.name] { return link }
        let link = SimLink()
        links[device.name] = link
        return link
    }

    /// The platform writes the brand, its users and partners.
    private func setUpBrand() throws(ScenarioError) {
        var ops: [(actor: Principal, body: OpBody)] = [
            (.platform, .setBrand(Brand(id: document.brand, name: document.brand.rawValue.capitalized))),
        ]
        for user in document.users {
            ops.append((.platform, .upsertUser(User(id: user.id, name: user.name, email: "\(user.id)@example.com"))))
        }
        for partner in document.partners {
            ops.append((.platform, .upsertPartner(Partner(id: partner.id, name: partner.name,
                                                          contactEmail: "\(partner.id)@example.com",
                                                          status: partner.status, statusSince: document.startMs))))
        }
        do {
            _ = try server.replica.performServerOps(ops)
        } catch {
            throw ScenarioError("simulation", "cannot set up the brand: \(error.message)")
        }
    }

    /// A new device of `spec.user`, with an empty replica (it gets the inbox at its first sync).
    @discardableResult
    func enroll(_ spec: DeviceSpec) throws(ScenarioError) -> SimNode {
        let identity = ReplicaIdentity(replica: ReplicaID(nextDevice), brand: document.brand, viewer: spec.user)
        nextDevice += 1
        let node = try SimNode(name: spec.name, identity: identity, directory: directory,
                               clock: NodeClock(base: clock, offsetMs: spec.clockOffsetMs))
        devices.append(node)
        touched.insert(node.name)
        trace.add(1, "enrolled \(spec.name): replica \(identity.replica), user \(spec.user), clock \(DurationText.text(spec.clockOffsetMs))")
        return node
    }
}
