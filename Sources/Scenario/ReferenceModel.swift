public import Causality
public import InboxModel
public import Replica

/// The inbox computed from a set of ops with plain dictionaries, independently of the replica's
/// SQL: which messages each conversation has and in what order, what is unread, which draft
/// versions are live, and each op's stamp. The harness (and the convergence property test)
/// compare a replica against it.
///
/// ```swift
/// var ops: [Op] = []
/// try replica.journal { ops += $0 }
/// let problems = try ReferenceModel(ops: ops, viewer: dana).problems(in: replica)
/// ```
public struct ReferenceModel: Sendable {
    public typealias Entry = (id: MessageID, stamp: HLCTimestamp, author: Principal)

    public let viewer: UserID?
    public private(set) var messages: [ConversationID: [Entry]] = [:]
    public private(set) var marker: [ConversationID: [ReplicaID: UInt64]] = [:]
    public private(set) var marks: [ConversationID: Set<Dot>] = [:]
    public private(set) var cleared: Set<Dot> = []
    public private(set) var draftVersions: [DraftKey: Set<Dot>] = [:]
    /// Every draft version some op superseded (a save, a discard or a send that saw it).
    public private(set) var superseded: Set<Dot> = []
    /// Each op's stamp (for ``stampedTooEarly(_:)``).
    public private(set) var stamps: [Dot: HLCTimestamp] = [:]

    /// The model of `ops` (in a causal order, e.g. a journal) as `viewer` sees them; `nil` for the
    /// server, which has no read state or drafts of its own.
    public init(ops: [Op], viewer: UserID?) {
        self.viewer = viewer
        add(ops)
    }

    /// The model with `ops` added: the ops a journal gained since the model was made, in its order.
    public mutating func add(_ ops: [Op]) {
        for op in ops {
            stamps[op.dot] = op.stamp
            let mine = viewer.map { op.actor == .user($0) } ?? false
            switch op.body {
            case .startConversation(let start):
                messages[ConversationID(op.dot), default: []].append((MessageID(op.dot), op.stamp, op.actor))
                superseded.formUnion(start.supersedes)
            case .postMessage(let post):
                messages[post.conversation, default: []].append((MessageID(op.dot), op.stamp, op.actor))
                superseded.formUnion(post.supersedes)
            case .markRead(let read) where mine:
                for dot in read.marker.dots {
                    marker[read.conversation, default: [:]][dot.replica] =
                        max(marker[read.conversation]?[dot.replica] ?? 0, dot.counter)
                }
                cleared.formUnion(read.clears)
            case .markUnread(let unread) where mine:
                marks[unread.conversation, default: []].insert(op.dot)
            case .saveDraft(let save) where mine:
                draftVersions[save.key, default: []].insert(op.dot)
                superseded.formUnion(save.supersedes)
            case .discardDraft(let discard) where mine:
                superseded.formUnion(discard.supersedes)
            default:
                break
            }
        }
    }

    /// The ops in `op`'s immediate causal past (the previous op of its replica and its deps)
    /// whose stamps are not below its own: a hybrid logical clock never stamps an op at or before
    /// anything its author had applied. Empty when the stamps respect causality.
    public func stampedTooEarly(_ op: Op) -> [Dot] {
        var before = op.deps
        if op.dot.counter > 1 { before.append(Dot(replica: op.dot.replica, counter: op.dot.counter - 1)) }
        return before.filter { dot in stamps[dot].map { !($0 < op.stamp) } ?? false }
    }

    /// Messages of a conversation in thread order (by stamp).
    public func thread(_ conversation: ConversationID) -> [Entry] {
        (messages[conversation] ?? []).sorted { $0.stamp < $1.stamp }
    }

    /// Whether the viewer has not read `message`.
    public func isUnread(_ message: Entry, in conversation: ConversationID) -> Bool {
        guard let viewer, message.author != .user(viewer) else { return false }
        return (marker[conversation]?[message.id.dot.replica] ?? 0) < message.id.dot.counter
    }

    /// Whether the viewer sees the conversation as unread.
    public func isUnread(_ conversation: ConversationID) -> Bool {
        guard viewer != nil else { return false }
        let liveMarks = (marks[conversation] ?? []).subtracting(cleared)
        return !liveMarks.isEmpty || thread(conversation).contains { isUnread($0, in: conversation) }
    }

    /// Live draft versions of a key.
    public func liveDraft(_ key: DraftKey) -> Set<Dot> {
        (draftVersions[key] ?? []).subtracting(superseded)
    }

    /// Where `replica` disagrees with the model: conversations, thread order, unread state and
    /// live draft versions. Empty when it agrees.
    public func problems(in replica: Replica) throws(ReplicaError) -> [String] {
        let rows = try replica.inbox(InboxFilter(limit: 10_000))
        var threads: [ThreadView] = []
        for row in rows { threads.append(try replica.thread(row.id, markRead: false)) }
        return problems(rows: rows, threads: threads)
    }

    /// The same, for inbox rows and their threads (in the same order) already read.
    public func problems(rows: [InboxRow], threads: [ThreadView]) -> [String] {
        var problems: [String] = []
        if Set(rows.map(\.id)) != Set(messages.keys) {
            problems.append("conversations differ: replica \(rows.map(\.id).sorted()), model \(messages.keys.sorted())")
        }
        for (row, view) in zip(rows, threads) { problems += self.problems(view, unread: row.unread) }
        return problems
    }

    /// Where one thread the replica shows (its inbox row `unread`) disagrees with the model.
    public func problems(_ view: ThreadView, unread: Bool) -> [String] {
        var problems: [String] = []
        let expected = thread(view.id)
        if view.messages.map(\.id) != expected.map(\.id) {
            problems.append("thread \(view.id): order \(view.messages.map(\.id)), model \(expected.map(\.id))")
        }
        guard viewer != nil else { return problems }
        if unread != isUnread(view.id) {
            problems.append("thread \(view.id): unread \(unread), model \(isUnread(view.id))")
        }
        let actual = Set(view.draft.map(\.version))
        let live = liveDraft(.conversation(view.id))
        if actual != live { problems.append("draft of \(view.id): versions \(actual.sorted()), model \(live.sorted())") }
        return problems
    }
}
