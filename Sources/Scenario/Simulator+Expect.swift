import Causality
import InboxModel
import Replica

extension ScenarioWorld {
    /// Checks an `expect` step.
    func check(_ expectation: Expectation) throws(ScenarioError) -> [ScenarioFailure] {
        switch expectation {
        case .converged(let names):
            let chosen = names.isEmpty ? devices : names.compactMap { device($0) }
            var failures: [ScenarioFailure] = []
            var references: [UserID: StateDigest] = [:]
            for device in chosen { failures += try convergence(of: device, references: &references) }
            guard failures.isEmpty else { return failures }
            var journal: [Op] = []
            try read(server) { replica throws(ReplicaError) in try replica.journal { journal += $0 } }
            for device in chosen { failures += try idempotence(of: device, journal: journal) }
            if failures.isEmpty { trace.add(1, "converged: \(chosen.map(\.name).joined(separator: ", "))") }
            return failures
        case .node(let name, let expected):
            guard let node = node(name) else { return [] }
            return check(expected, on: node) + measure(expected, on: node)
        case .mail(let expected):
            return check(expected)
        }
    }

    /// A device has converged when it has every op the server has, and its state digest equals
    /// that of a fresh replica of its user that applied the server's journal as the server scopes
    /// it for that user.
    /// `references` caches the fresh replicas' digests per user.
    func convergence(of device: SimNode,
                     references: inout [UserID: StateDigest]) throws(ScenarioError) -> [ScenarioFailure] {
        let serverHas = try read(server) { replica throws(ReplicaError) in try replica.versionVector() }
        let deviceHas = try read(device) { replica throws(ReplicaError) in try replica.versionVector() }
        guard deviceHas == serverHas else {
            return [ScenarioFailure(.expectation, node: device.name, "has not converged: it and the server hold different ops",
                                    expected: "the server's ops \(serverHas)", actual: "\(deviceHas)")]
        }
        guard let user = device.user else { return [] }
        let expected: StateDigest
        if let cached = references[user] {
            expected = cached
        } else {
            expected = try referenceDigest(for: user)
            references[user] = expected
        }
        let actual = try read(device) { replica throws(ReplicaError) in try replica.digest() }
        guard actual.state == expected.state, actual.summary == expected.summary else {
            return [ScenarioFailure(.expectation, node: device.name,
                                    "has the same ops as the server but shows a different inbox (state digest)",
                                    expected: "state \(expected.state.prefix(16))… summary \(expected.summary.prefix(16))…",
                                    actual: "state \(actual.state.prefix(16))… summary \(actual.summary.prefix(16))…")]
        }
        return []
    }

    /// Applying everything again changes nothing. (That the state equals a rebuild from the ops is
    /// the convergence check: the reference digest is a fresh replica's.)
    func idempotence(of device: SimNode, journal: [Op]) throws(ScenarioError) -> [ScenarioFailure] {
        guard let user = device.user else { return [] }
        let before = try read(device) { replica throws(ReplicaError) in try replica.digest() }
        let after = try read(device) { replica throws(ReplicaError) in
            try replica.apply(Array(journal.map { $0.scoped(to: user) }.reversed()))
            return try replica.digest()
        }
        var failures: [ScenarioFailure] = []
        if before != after {
            failures.append(ScenarioFailure(.invariant, node: device.name, "applying the same ops again changed the state",
                                            expected: before.state, actual: after.state))
        }
        return failures
    }

    /// The digest of a fresh replica of `user` that applied everything the server has, scoped.
    func referenceDigest(for user: UserID) throws(ScenarioError) -> StateDigest {
        let identity = ReplicaIdentity(replica: ReplicaID(0x7ef), brand: document.brand, viewer: user)
        do {
            let fresh = try Replica.inMemory(identity: identity, clock: FixedClock(milliseconds: document.startMs))
            try server.replica.journal { ops in try fresh.apply(ops.map { $0.scoped(to: user) }) }
            return try fresh.digest()
        } catch {
            throw ScenarioError("simulation", "cannot rebuild \(user)'s view of the server: \(error)")
        }
    }

    private func check(_ expected: NodeExpectation, on node: SimNode) -> [ScenarioFailure] {
        var failures: [ScenarioFailure] = []
        func fail(_ message: String, _ wanted: String, _ found: String) {
            failures.append(ScenarioFailure(.expectation, node: node.name, message, expected: wanted, actual: found))
        }
        let replica = node.replica
        if let label = expected.thread {
            let thread = labels[label].flatMap { try? replica.thread($0, markRead: false) }
            let messages = thread?.messages ?? []
            if thread == nil, expected.count != 0, expected.messages != [] {
                fail("thread \(label)", "the thread", "no such thread on \(node.name)")
                return failures
            }
            if let count = expected.count, count != messages.count {
                fail("thread \(label): message count", "\(count)", "\(messages.count)")
            }
            if let bodies = expected.messages, bodies != messages.map(\.body) {
                fail("thread \(label): messages in order", "\(bodies)", "\(messages.map(\.body))")
            }
            if let authors = expected.authors, authors != messages.map(\.author.description) {
                fail("thread \(label): authors in order", "\(authors)", "\(messages.map(\.author.description))")
            }
            if let unread = expected.unread, let thread, unread != thread.unread {
                fail("thread \(label): unread", "\(unread)", "\(thread.unread)")
            }
            if let wanted = expected.delivery {
                let actual = messages.map { DeliveryExpectation(state: $0.delivery, reason: $0.deliveryReason) }
                let holds = wanted.count == actual.count && zip(wanted, actual).allSatisfy { want, have in
                    want.state == have.state && (want.reason.map { have.reason?.contains($0) == true } ?? true)
                }
                if !holds { fail("thread \(label): delivery states in order", "\(wanted)", "\(actual)") }
            }
        }
        if let draft = expected.draft {
            failures += check(draft, expected: expected, on: node)
        }
        if let partner = expected.partner, let status = expected.status {
            let actual = (try? replica.partner(partner))?.panel.partner.status
            if actual != status { fail("partner \(partner): status", status.rawValue, actual?.rawValue ?? "no such partner") }
        }
        let rows = (try? replica.inbox(InboxFilter(limit: 10_000))) ?? []
        if let order = expected.inbox {
            let wanted = Set(order.compactMap { labels[$0] })
            let actual = rows.filter { wanted.contains($0.id) }.map { label(of: $0.id) }
            if actual != order { fail("inbox order (newest first)", "\(order)", "\(actual)") }
        }
        if let count = expected.conversations, count != rows.count {
            fail("number of conversations", "\(count)", "\(rows.count)")
        }
        if let pending = expected.pending {
            let mine = (try? replica.versionVector()) ?? VersionVector()
            let servers = (try? server.replica.versionVector()) ?? VersionVector()
            let count = Int(clamping: mine.opCount(above: servers))
            if count != pending { fail("ops not yet on the server (pending)", "\(pending)", "\(count)") }
        }
        return failures
    }

    private func check(_ draft: DraftExpectation, expected: NodeExpectation, on node: SimNode) -> [ScenarioFailure] {
        let key: DraftKey?
        var what = "draft"
        if let label = expected.thread {
            key = labels[label].map { .conversation($0) }
            what = "draft of \(label)"
        } else if let label = expected.compose {
            key = composeKeys[label]
            what = "new-message draft \(label)"
        } else {
            key = nil
        }
        let view = key.flatMap { try? node.replica.draft($0) }
        let versions = view?.versions.map(\.text) ?? []
        let actual = versions.isEmpty ? "no draft"
            : view?.inConflict == true ? "conflict \(versions)" : "text \(OpText.quote(view?.text ?? ""))"
        let holds: Bool
        switch draft {
        case .none: holds = versions.isEmpty
        case .text(let text): holds = view?.inConflict == false && view?.text == text
        case .conflict(let texts):
            holds = view?.inConflict == true && (texts.isEmpty || texts.sorted() == versions.sorted())
        case .notConflicted: holds = view?.inConflict != true
        }
        guard !holds else { return [] }
        let wanted = switch draft {
        case .none: "no draft"
        case .text(let text): "text \(OpText.quote(text))"
        case .conflict(let texts): texts.isEmpty ? "a conflict" : "conflict \(texts)"
        case .notConflicted: "no conflict"
        }
        return [ScenarioFailure(.expectation, node: node.name, what, expected: wanted, actual: actual)]
    }
}
