/// Everything that can go wrong with a replica, with a stable machine-readable code.
///
/// ```swift
/// do { try replica.reply(to: id, text: "On it") }
/// catch let error as ReplicaError where error.code == .unknownConversation { … }
/// ```
public struct ReplicaError: Error, Sendable, CustomStringConvertible {
    /// A stable code: scripts and the server map on it, the message is for people.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No replica file at the path.
        public static let notFound = Code(rawValue: "replica_not_found")
        /// The file exists but is not a replica (or not SQLite at all).
        public static let notAReplica = Code(rawValue: "not_a_replica")
        /// Another process holds the replica's write lock for too long.
        public static let locked = Code(rawValue: "replica_locked")
        /// The replica was written by a newer Outpost.
        public static let schemaTooNew = Code(rawValue: "schema_too_new")
        /// A replica already exists where one was to be created.
        public static let alreadyExists = Code(rawValue: "replica_exists")
        public static let unknownConversation = Code(rawValue: "unknown_conversation")
        public static let unknownPartner = Code(rawValue: "unknown_partner")
        public static let unknownMessage = Code(rawValue: "unknown_message")
        public static let noDraft = Code(rawValue: "no_draft")
        /// The draft has several concurrent versions; the user must pick or write one first.
        public static let draftConflict = Code(rawValue: "draft_conflict")
        /// System notifications cannot be answered.
        public static let readOnlyConversation = Code(rawValue: "read_only_conversation")
        /// The partner has left the platform (as this replica knows): nothing sent to it could be
        /// delivered. A reply or new message is kept as a draft instead; a draft is not sent.
        public static let partnerLeft = Code(rawValue: "partner_left")
        /// This replica belongs to no user (a server replica), so it has no drafts or read state.
        public static let noViewer = Code(rawValue: "no_viewer")
        /// An op failed its checks; the batch it came in was not applied.
        public static let invalidOp = Code(rawValue: "invalid_op")
        /// A bad argument: empty text, an unknown status, a bad id.
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// Rebuilding from the journal gave a different state.
        public static let digestMismatch = Code(rawValue: "digest_mismatch")
        /// The journal or state holds something that cannot be read back.
        public static let corrupt = Code(rawValue: "replica_corrupt")
        /// An external id (a platform event id, a partner's `Idempotency-Key`) was used before for a
        /// different request: nothing was made, and the first request's result is not an answer.
        public static let idempotencyConflict = Code(rawValue: "idempotency_key_reused")
        /// SQLite failed (disk full, I/O error); the change was rolled back.
        public static let storage = Code(rawValue: "storage_error")
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
