import Foundation
import Replica

/// The sync status, always visible: online or offline, changes waiting to go up, the last sync,
/// drafts in conflict, and the *work offline* switch.
struct StatusBar: Sendable {
    var connection: String
    var connectionLabel: String
    var online: Bool
    var paused: Bool
    var enrolled: Bool
    var pending: Int
    var pendingText: String
    var lastSync: String
    var conflicts: Int
    var hasConflicts: Bool
    var conflictText: String
    var error: String?

    init(connection: SyncMonitor.Connection, paused: Bool, pending: Int, lastSyncMs: UInt64?, conflicts: Int,
         error: String?) {
        self.connection = connection == .paused ? "paused" : connection == .notEnrolled ? "standalone"
            : connection.rawValue
        connectionLabel = switch connection {
        case .online: "Online"
        case .connecting: "Connecting…"
        case .offline: "Offline"
        case .paused: "Working offline"
        case .notEnrolled: "Not connected to a server"
        }
        online = connection == .online
        self.paused = paused
        enrolled = connection != .notEnrolled
        self.pending = pending
        pendingText = pending == 0 ? "Nothing waiting" : DisplayText.plural(pending, "change") + " waiting to go up"
        lastSync = lastSyncMs.map { "Last sync " + DisplayText.dateTime($0) } ?? "Never synced"
        self.conflicts = conflicts
        hasConflicts = conflicts > 0
        conflictText = DisplayText.plural(conflicts, "draft") + " in conflict"
        self.error = connection == .online ? nil : error
    }
}
