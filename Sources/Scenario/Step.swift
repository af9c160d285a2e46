public import InboxModel
public import SyncEngine

/// One step of a scenario, with the line of the file it came from (for messages).
public struct Step: Hashable, Sendable {
    public var action: StepAction
    /// 1-based line in the scenario file, when parsed from one.
    public var line: Int?

    public init(_ action: StepAction, line: Int? = nil) {
        self.action = action
        self.line = line
    }
}

/// What a step does (Protocol/SCENARIOS.md, "Steps").
public enum StepAction: Hashable, Sendable {
    /// These devices can no longer reach the server (a partition).
    case offline([String])
    /// These devices can reach the server again.
    case online([String])
    /// Every device online, every queued fault and armed crash cleared.
    case heal
    /// One sync session per named device, in order; `nil` = every online device, in rounds until
    /// nothing moves.
    case sync([String]?)
    /// The virtual clock moves on.
    case advance(ms: UInt64)
    /// A device's (or the server's) clock is set off the true time by this much.
    case clock(node: String, offsetMs: Int64)
    /// A new device is enrolled (it syncs when a step says so).
    case enroll(DeviceSpec)
    /// A user does something on a device. With `expectError`, the action must fail with that code.
    case user(device: String, UserAction, expectError: String?)
    /// A partner writes (through the partner API, so the server makes the op).
    case partner(PartnerEvent)
    /// The platform writes.
    case platform(PlatformEventSpec)
    /// The link of a device misbehaves for the next matching frames.
    case fault(Fault)
    /// A device or the server crashes, now or at a named point of its next sync (or, a device,
    /// after its next user action commits), and restarts from what it had committed.
    case crash(node: String, CrashSpec)
    /// The server's delivery worker runs one round: every owed brand user's message is mailed to
    /// its partner, or fails.
    case deliver
    /// Something that must hold now.
    case expect(Expectation)
}

/// A thread or a new-message draft, by the label the scenario gave it.
public enum DraftTarget: Hashable, Sendable {
    case thread(String)
    /// A new-message draft (`new:` key) by its label.
    case compose(String)
}

/// What a user does on a device (Protocol/SCENARIOS.md, "User actions").
public enum UserAction: Hashable, Sendable {
    /// A new conversation; `label` names it for later steps.
    case compose(to: PartnerID, subject: String, text: String, label: String)
    case reply(thread: String, text: String)
    /// Reads the thread: all of it, or only its first `through` messages in this device's
    /// thread order.
    case read(thread: String, through: Int? = nil)
    case unread(thread: String)
    /// Saves draft text. For a new compose draft, `to` and `subject` may be given.
    case draft(DraftTarget, text: String, to: PartnerID?, subject: String?)
    case discard(DraftTarget)
    /// Sends a draft; for a compose draft, `label` names the new conversation.
    case send(DraftTarget, label: String?)
}

/// A partner writes: a new conversation (`label`, `subject`) or a message in a thread.
public struct PartnerEvent: Hashable, Sendable {
    public var partner: PartnerID
    public var thread: String?
    public var label: String?
    public var subject: String?
    public var text: String

    public init(partner: PartnerID, thread: String? = nil, label: String? = nil, subject: String? = nil, text: String) {
        self.partner = partner
        self.thread = thread
        self.label = label
        self.subject = subject
        self.text = text
    }
}

/// The platform writes: a notification thread, a partnership status change, or both (a partner
/// leaving the platform).
public struct PlatformEventSpec: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A notification thread (`system` conversation) about the partner.
        case notify
        /// The partner's status becomes `ended`, and a notification says so.
        case partnerLeft = "partner-left"
        /// The partner's status changes; no notification.
        case status
    }

    public var kind: Kind
    public var partner: PartnerID
    public var label: String?
    public var subject: String?
    public var text: String?
    public var status: PartnershipStatus?
    /// The platform's event id (`notify`, `partner-left`): the same id delivered again makes
    /// nothing new. Without one, every step is a new event.
    public var id: String?

    public init(kind: Kind, partner: PartnerID, label: String? = nil, subject: String? = nil, text: String? = nil,
                status: PartnershipStatus? = nil, id: String? = nil) {
        self.id = id
        self.kind = kind
        self.partner = partner
        self.label = label
        self.subject = subject
        self.text = text
        self.status = status
    }
}

/// A crash step: where, and for a sync point, at which received batch.
public struct CrashSpec: Hashable, Sendable, CustomStringConvertible {
    public var point: CrashPoint
    /// Which received batch of the sync reaches the point (sync points only); `nil`: the first.
    public var batch: ArmedFailpoint.Batch?

    public init(_ point: CrashPoint, batch: ArmedFailpoint.Batch? = nil) {
        self.point = point
        self.batch = batch
    }

    /// The driver's failpoint for a crash armed for a sync; `nil` for `now` and `after-action`.
    public var failpoint: ArmedFailpoint? {
        let point: Failpoint? = switch self.point {
        case .now, .afterAction: nil
        case .beforeCommit: .beforeCommit
        case .afterCommit: .afterCommit
        case .midBatch: .midBatch
        }
        return point.map { ArmedFailpoint($0, batch: batch ?? .number(1)) }
    }

    /// `after-commit`, `after-commit@3`, `mid-batch@50%` (the `OUTPOST_FAILPOINT` form).
    public var description: String {
        failpoint?.description ?? point.rawValue
    }
}

/// Where a crash happens.
public enum CrashPoint: String, Hashable, Sendable, CaseIterable {
    /// At once: the node restarts from its file.
    case now
    /// In its next sync, on receiving a batch: before the batch's transaction commits.
    case beforeCommit = "before-commit"
    /// In its next sync: after a received batch committed, before the ack is sent.
    case afterCommit = "after-commit"
    /// In its next sync: after a received batch that has more batches behind it was committed and
    /// acknowledged, before the rest arrive.
    case midBatch = "mid-batch"
    /// A device: right after its next user action (reply, read, draft, …) committed, before
    /// anything else happens.
    case afterAction = "after-action"

    /// A point in a sync, which a `batch` or `progress` may place.
    public var inSync: Bool { self == .beforeCommit || self == .afterCommit || self == .midBatch }
}
