import Causality
import Foundation
import InboxModel
import NIOPosix
import Replica
import SyncCore

/// Runs a scenario against real processes on loopback (`outpost scenario run --live`): one real
/// `outpost server`, and for each device a replica file that real `outpost` commands work on —
/// `enroll`, `sync`, `compose`, `reply`, `read`, `draft` — each a process of its own, reaching
/// the server through its own ``LiveLink`` (offline = the link refuses connections). Partners
/// write through `outpost partner-api`, the platform through `outpost admin`.
///
/// A crash is a real SIGKILL: `crash: server` kills the server process and starts it again;
/// `crash: … at: POINT` arms the `OUTPOST_FAILPOINT` of the next `outpost sync` (a device) or of
/// the server, which then kills itself at that point of the protocol. Clock offsets and `advance`
/// go to the processes through `OUTPOST_CLOCK_OFFSET_MS` (the server restarts to take a new one).
///
/// The harness opens the same replica files to check expectations and invariants, with the
/// simulator's code (``ScenarioWorld``). Frame faults (drop, duplicate, reorder, delay, cut) act
/// on whole WebSocket frames in the device's relay (``RelaySession``).
final class LiveWorld: ScenarioWorld {
    /// The failpoint variable of `SyncClient.Failpoint`.
    static let failpointVariable = "OUTPOST_FAILPOINT"

    let document: ScenarioDocument
    private(set) var server: SimNode!
    private(set) var devices: [SimNode] = []
    var labels: [String: ConversationID] = [:]
    var composeKeys: [String: DraftKey] = [:]
    var trace: Trace
    var touched: Set<String> = []
    var rng: SplitMix64

    let binary: String
    let directory: String
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let serverProcess: LiveServer
    var links: [String: LiveLink] = [:]
    var partnerTokens: [PartnerID: String] = [:]
    /// Each partner's `outpost partner-api batch` process, once it has written.
    var partnerWriters: [PartnerID: PartnerWriter] = [:]
    /// What `advance` steps added to every process's clock.
    var advancedMs: Int64 = 0
    /// The server's own clock offset (`clock: server`).
    var serverOffsetMs: Int64 = 0
    /// A crash armed in the server (it runs with that failpoint until it dies or `heal`).
    var serverArmed: CrashSpec?
    /// Every copy of mail `outpost admin deliver` handed over, read back from its `.eml` file.
    var mailbox: [ReceivedMail] = []
    /// Set when a device's command died at `after-action` (the command's output is lost).
    var killedAfterAction = false
    /// A counter for platform event ids.
    var events = 0
    /// The harness's clock for the replicas it opens (it only reads and re-applies).
    let readerClock = VirtualClock(startMs: SystemClock().nowMilliseconds())

    init(document: ScenarioDocument, seed: UInt64, trace: Bool, binary: String) throws(ScenarioError) {
        self.document = document
        self.binary = binary
        rng = SplitMix64(seed: seed)
        self.trace = Trace(enabled: trace)
        directory = (Simulator.scratchDirectory() as NSString).appendingPathComponent("outpost-live-\(UUID().uuidString)")
        // Removed by a stop of the harness too (SIGTERM, SIGINT: ``LiveStopSignals``).
        LiveProcesses.shared.adopt(directory: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            LiveProcesses.shared.release(directory: directory)
            throw ScenarioError("live", "cannot make a temporary directory: \(error.localizedDescription)")
        }
        do {
            serverProcess = try LiveServer(binary: binary, directory: directory, group: group)
        } catch {
            try? group.syncShutdownGracefully()
            try? FileManager.default.removeItem(atPath: directory)
            LiveProcesses.shared.release(directory: directory)
            throw error
        }
        do {
            try setUp()
        } catch {
            close()
            throw error
        }
    }

    /// The brand, its users and partners (with `outpost admin`), the server, a partner API token
    /// per partner, and every listed device enrolled and synced once.
    private func setUp() throws(ScenarioError) {
        let brand = document.brand.rawValue
        try admin(["brand", "add", brand, "--name", brand.capitalized])
        for user in document.users {
            try admin(["user", "add", "--brand", brand, user.id.rawValue, "--name", user.name,
                       "--email", "\(user.id)@example.com"])
        }
        for partner in document.partners {
            try admin(["partner", "add", "--brand", brand, partner.id.rawValue, "--name", partner.name,
                       "--email", "\(partner.id)@example.com", "--status", partner.status.rawValue])
        }
        try startServer()
        for partner in document.partners {
            let output = try admin(["partner", "token", "--brand", brand, partner.id.rawValue])
            guard let token = output.split(separator: "\n").last.map(String.init), !token.isEmpty else {
                throw ScenarioError("live", "admin partner token printed no token")
            }
            partnerTokens[partner.id] = token
        }
        server = try SimNode(name: "server", openingAt: serverProcess.brandReplicaPath(brand),
                             clock: NodeClock(base: readerClock, offsetMs: 0))
        trace.add(0, "set-up (live): server \(serverProcess.url), brand \(brand), \(document.users.count) users, \(document.partners.count) partners; each device enrolls and syncs once")
        for device in document.devices { try enroll(device) }
        for device in devices { _ = try syncDevice(device) }
        touched = Set(devices.map(\.name) + ["server"])
    }

    /// Stops every process and relay and removes the run's files.
    func close() {
        for writer in partnerWriters.values { writer.close() }
        partnerWriters = [:]
        serverProcess.stop()
        for link in links.values { link.goOffline() }
        try? group.syncShutdownGracefully()
        try? FileManager.default.removeItem(atPath: directory)
        LiveProcesses.shared.release(directory: directory)
    }

    // MARK: Processes

    /// Runs `outpost admin --data DATA ARGS` on the server's clock; it must succeed.
    @discardableResult
    func admin(_ arguments: [String]) throws(ScenarioError) -> String {
        let result = try outpost(["admin", "--data", serverProcess.data] + arguments, environment: serverClock)
        guard result.succeeded else {
            throw ScenarioError("live", "outpost admin \(arguments.joined(separator: " ")) failed: \(result.lastError)")
        }
        return result.stdout
    }

    /// Runs one `outpost` command to its end.
    func outpost(_ arguments: [String], environment: [String: String] = [:],
                 stdin: String? = nil) throws(ScenarioError) -> LiveCommand.Result {
        let environment = ["OUTPOST_LOG_LEVEL": "error"].merging(environment) { _, given in given }
        return try LiveCommand(binary: binary, arguments: arguments, environment: environment, stdin: stdin)
            .run(in: directory)
    }

    /// The environment of a process whose clock is `offsetMs` off true time: that offset plus what
    /// `advance` steps added, and the scenario's batch size.
    func environment(clockOffsetMs offsetMs: Int64) -> [String: String] {
        var environment = [SystemClock.offsetVariable: "\(advancedMs + offsetMs)"]
        if let size = document.batchSize { environment[SyncConfiguration.batchOpsVariable] = "\(size)" }
        return environment
    }

    /// The environment of a device's processes.
    func environment(of device: SimNode) -> [String: String] { environment(clockOffsetMs: device.clock.offsetMs) }

    /// The environment of the server and of `outpost admin`, which runs on the server's clock (an
    /// enrollment code made on the machine's clock would have expired on a server months ahead).
    var serverClock: [String: String] { environment(clockOffsetMs: serverOffsetMs) }

    /// Starts the server with the clock, batch size and armed crash the scenario has set.
    func startServer() throws(ScenarioError) {
        var environment = serverClock
        environment["OUTPOST_LOG_LEVEL"] = "warning"
        if let armed = serverArmed?.failpoint { environment[Self.failpointVariable] = armed.description }
        try serverProcess.start(environment: environment)
    }

    /// A graceful restart, to take a new clock or failpoint.
    func restartServer(_ why: String) throws(ScenarioError) {
        serverProcess.stop()
        try startServer()
        trace.add(1, "server restarted (\(why))")
    }

    func tally(of device: SimNode) -> WireTally { links[device.name]?.faults.tally ?? WireTally() }

    func resetTally(of device: SimNode) { links[device.name]?.faults.resetTally() }

    /// A new device of `spec.user`: a one-time code from `outpost admin enroll-code`, then
    /// `outpost enroll` through the device's own link.
    @discardableResult
    func enroll(_ spec: DeviceSpec) throws(ScenarioError) -> SimNode {
        let output = try admin(["enroll-code", "--brand", document.brand.rawValue, "--user", spec.user.rawValue])
        guard let code = output.split(separator: "\n").last.map(String.init), !code.isEmpty else {
            throw ScenarioError("live", "admin enroll-code printed no code")
        }
        let link = try LiveLink(serverPort: serverProcess.port, group: group)
        links[spec.name] = link
        let path = (directory as NSString).appendingPathComponent("\(spec.name).sqlite")
        let clock = NodeClock(base: readerClock, offsetMs: spec.clockOffsetMs)
        let result = try outpost(["enroll", "--replica", path, "--server", link.url, "--code", code, "--name", spec.name],
                                 environment: environment(clockOffsetMs: spec.clockOffsetMs))
        guard result.succeeded else { throw ScenarioError("live", "outpost enroll of \(spec.name) failed: \(result.lastError)") }
        let node = try SimNode(name: spec.name, openingAt: path, clock: clock)
        devices.append(node)
        touched.insert(node.name)
        trace.add(1, "enrolled \(spec.name): replica \(node.identity.replica), user \(spec.user), clock \(DurationText.text(spec.clockOffsetMs)), via \(link.url)")
        return node
    }
}
