import Causality
import InboxModel
import Replica

/// Checks the invariants (Protocol/SCENARIOS.md, "Invariants checked after every step") on the replicas a step touched, against a
/// ``ReferenceModel`` of each replica's own journal and against what the replica showed before.
///
/// 1. The replica's inbox agrees with the model of its journal: conversations, thread order (by
///    stamp), unread state, live draft versions.
/// 2. Thread order respects causality: no message shows above one in its causal past. Thread order
///    is stamp order (checked by 1), so this holds when no op is stamped at or before an op in its
///    immediate causal past (its replica's previous op, its deps), which is checked for every op.
/// 3. Every message shows exactly once.
/// 4. Read state only moves back through an explicit *unread*: a message once read stays read.
/// 5. No draft text vanishes without a user act that saw it: a live version disappears only when an
///    op in the journal supersedes it.
/// 6. No device holds another user's private op unredacted (scope).
/// 7. A crash loses nothing committed or acknowledged (checked when the crash happens).
/// At the end of a run, ``Simulator`` adds convergence and idempotence (``finalChecks``).
///
/// The checker keeps each node's model and reads only the ops its journal gained since the last
/// check. A `full` check compares every conversation; otherwise only the conversations the new ops
/// are about (a user action, a partner's or the platform's write changes nothing else), so that a
/// story of thousands of steps costs each step what it changed, not the whole inbox.
struct InvariantChecker {
    private struct NodeState {
        var model: ReferenceModel
        /// The journal position read so far.
        var position: Int64 = 0
        var read: [ConversationID: Set<MessageID>] = [:]
        var drafts: Set<Dot> = []
    }

    private var states: [String: NodeState] = [:]

    mutating func check(_ node: SimNode, full: Bool = true) throws(ScenarioError) -> [String] {
        let replica = node.replica
        var state = states[node.name] ?? NodeState(model: ReferenceModel(ops: [], viewer: node.user))
        var problems: [String] = []
        do {
            var added: [Op] = []
            state.position = try replica.journal(after: state.position) { added += $0 }
            state.model.add(added)
            var touched: Set<ConversationID> = []
            for op in added {
                if let conversation = Self.conversation(of: op) { touched.insert(conversation) }
                for dot in state.model.stampedTooEarly(op) {
                    problems.append("op \(op.dot) is stamped \(op.stamp), not after \(dot) in its causal past")
                }
                if let viewer = node.user, let owner = op.privateOwner, owner != viewer, op.kind != .redacted {
                    problems.append("holds \(owner)'s private op \(op.dot) (\(op.kind)) unredacted")
                }
            }
            var views: [ThreadView] = []
            if full {
                let rows = try replica.inbox(InboxFilter(limit: 10_000))
                for row in rows { views.append(try replica.thread(row.id, markRead: false)) }
                problems += state.model.problems(rows: rows, threads: views)
            } else {
                for conversation in touched.sorted() {
                    guard let view = try? replica.thread(conversation, markRead: false) else {
                        if state.model.messages[conversation] != nil {
                            problems.append("conversation \(conversation) is in the journal but not in the inbox")
                        }
                        continue
                    }
                    if state.model.messages[conversation] == nil {
                        problems.append("conversation \(conversation) is in the inbox but not in the journal")
                    }
                    problems += state.model.problems(view, unread: view.unread)
                    views.append(view)
                }
            }
            for view in views {
                let ids = view.messages.map(\.id)
                if Set(ids).count != ids.count { problems.append("thread \(view.id) shows a message twice: \(ids)") }
                let read = Set(view.messages.filter { !$0.unread }.map(\.id))
                let lost = (state.read[view.id] ?? []).subtracting(read)
                if !lost.isEmpty { problems.append("thread \(view.id): messages \(lost.sorted()) went back to unread") }
                state.read[view.id] = read
            }
            if node.user != nil {
                var live: Set<Dot> = []
                for draft in try replica.drafts() { live.formUnion(draft.versions.map(\.version)) }
                let vanished = state.drafts.subtracting(live).subtracting(state.model.superseded)
                if !vanished.isEmpty {
                    problems.append("draft versions \(vanished.sorted()) vanished with no op superseding them")
                }
                state.drafts = live
            }
        } catch {
            throw ScenarioError("simulation", "cannot check \(node.name): \(error.message)")
        }
        states[node.name] = state
        return problems
    }

    /// The conversation whose thread, unread state or draft an op changes, if any.
    static func conversation(of op: Op) -> ConversationID? {
        switch op.body {
        case .startConversation: ConversationID(op.dot)
        case .postMessage(let post): post.conversation
        case .markRead(let read): read.conversation
        case .markUnread(let unread): unread.conversation
        case .saveDraft(let save): if case .conversation(let id) = save.key { id } else { nil }
        case .discardDraft(let discard): if case .conversation(let id) = discard.key { id } else { nil }
        default: nil
        }
    }
}
