import ArgumentParser
import Causality
import Foundation
import Replica

/// What `outpost status` reports.
struct SyncStatus: Codable {
    var replica: String
    var user: String?
    var brand: String
    var server: String?
    /// "online", "offline", or "not enrolled".
    var connection: String
    var pendingOps: Int
    var lastSyncMs: UInt64?
    /// Share of the server's ops (as of the last handshake) that are here, 0–1.
    var firstSyncProgress: Double
    var firstSyncDone: Bool
    var draftsInConflict: Int
    var clockSkewMs: Int64?
    var lastError: String?
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Sync status: online or offline, changes waiting to go up, last sync, first-sync progress, conflicts.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Flag(name: .long, help: "Do not probe the server; report what the replica knows.")
    var offline = false

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() async throws {
        let replica = try replicaOptions.open()
        let state = try cli { try replica.syncState() }
        let local = try cli { try replica.versionVector() }
        let total = state.serverHave.opCount()
        let have = total - state.serverHave.opCount(above: local)
        var connection = "not enrolled"
        if let server = state.serverURL {
            connection = offline ? "unknown" : (await ServerProbe.isOnline(server) ? "online" : "offline")
        }
        let status = SyncStatus(
            replica: replica.identity.replica.description, user: replica.identity.viewer?.rawValue,
            brand: replica.identity.brand.rawValue, server: state.serverURL, connection: connection,
            pendingOps: try cli { try replica.pendingOps() }, lastSyncMs: state.lastSyncMs,
            firstSyncProgress: total == 0 ? 1 : Double(have) / Double(total), firstSyncDone: local.includes(state.serverHave),
            draftsInConflict: replica.identity.viewer == nil ? 0 : try cli { try replica.drafts() }.filter(\.inConflict).count,
            clockSkewMs: state.clockSkewMs, lastError: state.lastError)
        if json { return try Output.json(status) }
        print("Replica:            \(replicaOptions.path) (device \(status.replica), \(status.user ?? "no user") at \(status.brand))")
        print("Server:             \(status.server ?? "none") — \(status.connection)")
        print("Waiting to go up:   \(status.pendingOps) change\(status.pendingOps == 1 ? "" : "s")")
        print("Last sync:          \(status.lastSyncMs.map(Output.longDate) ?? "never")")
        print("First sync:         " + (status.firstSyncDone ? "complete"
            : String(format: "%.0f%% (%d of %d ops)", status.firstSyncProgress * 100, have, total)))
        print("Drafts in conflict: \(status.draftsInConflict)")
        if let skew = status.clockSkewMs {
            print("Clock skew:         \(skew >= 0 ? "+" : "")\(skew) ms (server minus this device, at the last handshake)")
        }
        if let error = status.lastError { print("Last error:         \(error)") }
    }
}
