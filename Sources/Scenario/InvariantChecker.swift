import Causality
import InboxModel
import Replica

/// Checks the invariants (Protocol/SCENARIOS.md, "Invariants checked after every step") on the replicas a step touched, against a
/// ``ReferenceModel`` of each replica's own journal and against what the replica showed before.
///
/// 1. The replica's inbox agrees with the model of its journal: conversations, thread order (by
///    stamp), unread state, live draft versions.
/// 2. Thread order respects causality: no message shows above one in its causal past.
/// 3. Every message shows exactly once.
/// 4. Read state only moves back through an explicit *unread*: a message once read stays read.
/// 5. No draft text vanishes without a user act that saw it: a live version disappears only when an
///    op in the journal supersedes it.
/// 6. No device holds another user's private op unredacted (scope).
/// 7. A crash loses nothing committed or acknowledged (checked when the crash happens).
/// At the end of a run, ``Simulator`` adds convergence and idempotence (``finalChecks``).
struct InvariantChecker {
    private var readBefore: [String: [ConversationID: Set<MessageID>]] = [:]
    private var draftsBefore: [String: Set<Dot>] = [:]

    mutating func check(_ node: SimNode) throws(ScenarioError) -> [String] {
        var ops: [Op] = []
        let replica = node.replica
        var problems: [String] = []
        do {
            try replica.journal { ops += $0 }
            let model = ReferenceModel(ops: ops, viewer: node.user)
            let rows = try replica.inbox(InboxFilter(limit: 10_000))
            var threads: [ThreadView] = []
            for row in rows { threads.append(try replica.thread(row.id, markRead: false)) }
            problems += model.problems(rows: rows, threads: threads)
            if let viewer = node.user {
                for op in ops {
                    if let owner = op.privateOwner, owner != viewer, op.kind != .redacted {
                        problems.append("holds \(owner)'s private op \(op.dot) (\(op.kind)) unredacted")
                    }
                }
            }
            var read: [ConversationID: Set<MessageID>] = [:]
            var live: Set<Dot> = []
            for (row, thread) in zip(rows, threads) {
                let ids = thread.messages.map(\.id)
                if Set(ids).count != ids.count { problems.append("thread \(row.id) shows a message twice: \(ids)") }
                for (index, earlier) in ids.enumerated() {
                    let past = model.past[earlier.dot] ?? VersionVector()
                    for later in ids[(index + 1)...] where past.covers(later.dot) {
                        problems.append("thread \(row.id): \(earlier) shows above \(later), which is in its causal past")
                    }
                }
                read[row.id] = Set(thread.messages.filter { !$0.unread }.map(\.id))
                live.formUnion(thread.draft.map(\.version))
            }
            if node.user != nil {
                for draft in try replica.drafts() { live.formUnion(draft.versions.map(\.version)) }
            }
            for (conversation, before) in readBefore[node.name] ?? [:] {
                let now = read[conversation] ?? []
                let lost = before.subtracting(now)
                if !lost.isEmpty { problems.append("thread \(conversation): messages \(lost.sorted()) went back to unread") }
            }
            let vanished = (draftsBefore[node.name] ?? []).subtracting(live).subtracting(model.superseded)
            if !vanished.isEmpty {
                problems.append("draft versions \(vanished.sorted()) vanished with no op superseding them")
            }
            readBefore[node.name] = read
            draftsBefore[node.name] = live
        } catch {
            throw ScenarioError("simulation", "cannot check \(node.name): \(error.message)")
        }
        return problems
    }
}
