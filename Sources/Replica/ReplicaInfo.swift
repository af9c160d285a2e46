public import Causality
import InboxModel

/// What `outpost replica info` shows.
public struct ReplicaInfo: Hashable, Sendable, Codable {
    public var path: String?
    public var identity: ReplicaIdentity
    public var migrations: [String]
    /// Per replica, the highest op applied here.
    public var versionVector: VersionVector
    public var journalOps: Int
    public var heldOps: Int
    public var conversations: Int
    public var messages: Int
    public var partners: Int
    public var unreadConversations: Int
    public var drafts: Int
    public var fileBytes: Int64?
    public var digest: StateDigest
}

/// What `outpost replica verify` found.
public struct VerifyReport: Hashable, Sendable, Codable {
    public var journalOps: Int
    public var stored: StateDigest
    public var rebuilt: StateDigest
    /// SQLite's own integrity checks (file and search indexes): "ok" or what they reported.
    public var integrity: String
    public var ok: Bool { stored == rebuilt && integrity == "ok" }
}
