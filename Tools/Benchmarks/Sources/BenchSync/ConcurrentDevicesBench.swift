import BenchSupport
import Causality
import Foundation
import InboxModel
import Replica
import ServerAPI
import SyncClient
import SyncServer

/// Many devices against one real `outpost server`: the duration of a sync round while `devices`
/// devices sync concurrently.
///
/// The devices belong to `brands` brands (five users and two partners each; two devices per user),
/// so every brand's devices pull one another's ops. A round is what `outpost sync` does once: open
/// a WebSocket, hello, push what is pending, pull what is missing, acknowledge, close. Each device
/// commits a reply and runs a round, then waits 0.5–1.5 s (uniformly random, so about one round a
/// second per device, not in lockstep), for `seconds` seconds.
///
/// Baseline in the same run: the same rounds by one device alone against the same server.
struct ConcurrentDevicesBench {
    let devices: Int
    let brands: Int
    let seconds: Int
    let baselineRounds = 100

    struct Result: Codable {
        var devices: Int
        var rounds: Int
        var failures: Int
        var roundsPerSecond: Double
        /// Milliseconds per round with every device syncing.
        var concurrent: Stats.Summary
        /// Milliseconds per round of one device alone.
        var alone: Stats.Summary
    }

    struct Device: Sendable {
        var replica: Replica
        var sync: WebSocketSync
        var conversation: ConversationID
    }

    func run() async throws(BenchError) -> Result {
        let scratch = NSTemporaryDirectory() + "outpost-bench-devices-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let enrollments = try enrollDevices(data: scratch + "/server")
        let server = try ServerChild(data: scratch + "/server")
        defer { server.stop() }
        try await server.ready()

        // Each device syncs once, starts its own conversation and syncs it up, one after another.
        var fleet: [Device] = []
        for (index, enrollment) in enrollments.enumerated() {
            let identity = ReplicaIdentity(replica: enrollment.replica, brand: enrollment.brand, viewer: enrollment.user)
            let replica = try CommitLatencyBench.wrap {
                try Replica.create(at: "\(scratch)/device-\(index).sqlite", identity: identity)
            }
            let sync = WebSocketSync(replica: replica, serverURL: server.url, token: enrollment.token)
            do { try await sync.syncOnce() } catch { throw BenchError("first sync: \(error)") }
            let conversation = try CommitLatencyBench.wrap {
                try replica.compose(to: PartnerID(rawValue: "p\(index % 2)")!, subject: "Device \(index)",
                                    text: "Hello from device \(index)")
            }
            let device = Device(replica: replica, sync: sync, conversation: conversation)
            _ = try await Self.round(device)
            fleet.append(device)
        }
        logToStandardError("\(fleet.count) devices enrolled and synced")

        var alone: [Double] = []
        for _ in 0..<baselineRounds {
            alone.append(try await Self.round(fleet[0]))
        }

        let deadline = ContinuousClock.now + .seconds(seconds)
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: ([Double], Int).self) { group in
            for device in fleet {
                group.addTask {
                    var times: [Double] = [], failures = 0
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...1_000)))
                    while ContinuousClock.now < deadline {
                        do { times.append(try await Self.round(device)) } catch { failures += 1 }
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 500...1_500)))
                    }
                    return (times, failures)
                }
            }
            var all: [([Double], Int)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let times = outcomes.flatMap(\.0)
        let failures = outcomes.reduce(0) { $0 + $1.1 }
        return Result(devices: fleet.count, rounds: times.count, failures: failures,
                      roundsPerSecond: Double(times.count) / elapsed, concurrent: Stats.Summary(times),
                      alone: Stats.Summary(alone))
    }

    /// One new reply, then one sync round; returns the round's milliseconds.
    static func round(_ device: Device) async throws(BenchError) -> Double {
        _ = try CommitLatencyBench.wrap { try device.replica.reply(to: device.conversation, text: "Round \(UUID())") }
        let start = ContinuousClock.now
        do { try await device.sync.syncOnce() } catch { throw BenchError("sync round: \(error)") }
        guard try CommitLatencyBench.wrap({ try device.replica.pendingOps() }) == 0 else {
            throw BenchError("a round left ops pending")
        }
        return (ContinuousClock.now - start).milliseconds
    }

    /// Brands `b0`…, each with users `u0`…`u4` and partners `p0`, `p1`; `devices` devices spread
    /// over them, two per user.
    private func enrollDevices(data: String) throws(BenchError) -> [Enrollment] {
        do {
            let store = try ServerStore.open(directory: data)
            let perBrand = (devices + brands - 1) / brands
            var enrollments: [Enrollment] = []
            for b in 0..<brands {
                let brand = BrandID(rawValue: "b\(b)")!
                try store.addBrand(brand, name: "Brand \(b)")
                for u in 0..<5 {
                    try store.addUser(brand: brand, id: UserID(rawValue: "u\(u)")!, name: "User \(u)",
                                      email: "u\(u)@b\(b).example")
                }
                for p in 0..<2 {
                    try store.addPartner(brand: brand, id: PartnerID(rawValue: "p\(p)")!, name: "Partner \(p)",
                                         email: "p\(p)@partner.example", status: .active)
                }
                for d in 0..<perBrand where enrollments.count < devices {
                    let code = try store.makeEnrollmentCode(brand: brand, user: UserID(rawValue: "u\(d / 2 % 5)")!,
                                                            validForMs: 600_000)
                    enrollments.append(try store.enroll(code: code, deviceName: "bench \(b)-\(d)"))
                }
            }
            return enrollments
        } catch {
            throw BenchError("setting up the server: \(error)")
        }
    }
}
