import Causality
import InboxModel
import Replica

extension Simulator {
    /// A user acts on a device: one local action of the replica (Replica+Actions).
    func perform(_ action: UserAction, on device: SimNode, expectError: String?) throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert(device.name)
        do {
            try act(action, on: device)
        } catch {
            return outcome(of: action, on: device, refusal: (error.code.rawValue, error.message), expectError: expectError)
        }
        let failures = outcome(of: action, on: device, refusal: nil, expectError: expectError)
        // An action that committed reaches `after-action`; a refused one committed nothing.
        guard device.armedCrash?.point == .afterAction else { return failures }
        trace.add(1, "\(device.name) CRASHES right after its action committed; restarts from its file")
        return try failures + crash(device)
    }

    private func act(_ action: UserAction, on device: SimNode) throws(ReplicaError) {
        let replica = device.replica
        switch action {
        case .compose(let partner, let subject, let text, let label):
            labels[label] = try replica.compose(to: partner, subject: subject, text: text)
        case .reply(let thread, let text):
            try replica.reply(to: try conversation(thread), text: text)
        case .read(let thread, let through):
            try replica.markRead(try conversation(thread), through.map { .first($0) } ?? .all)
        case .unread(let thread):
            try replica.markUnread(try conversation(thread))
        case .draft(.thread(let thread), let text, _, _):
            try replica.saveDraft(try conversation(thread), text: text)
        case .draft(.compose(let label), let text, let to, let subject):
            if let key = composeKeys[label] {
                try replica.updateComposeDraft(key, text: text, partner: to, subject: subject)
            } else {
                composeKeys[label] = try replica.startComposeDraft(to: to, subject: subject, text: text)
            }
        case .discard(let target):
            try replica.discardDraft(try draftKey(target))
        case .send(let target, let label):
            let message = try replica.sendDraft(try draftKey(target))
            if let label { labels[label] = ConversationID(message.dot) }
        }
    }

    func conversation(_ label: String) throws(ReplicaError) -> ConversationID {
        guard let id = labels[label] else {
            throw ReplicaError(.unknownConversation, "thread \(label) has not been made (its step failed or was skipped)")
        }
        return id
    }

    func draftKey(_ target: DraftTarget) throws(ReplicaError) -> DraftKey {
        switch target {
        case .thread(let label): return .conversation(try conversation(label))
        case .compose(let label):
            guard let key = composeKeys[label] else {
                throw ReplicaError(.noDraft, "new-message draft \(label) has not been made")
            }
            return key
        }
    }

    static func describe(_ action: UserAction) -> String {
        switch action {
        case .compose(let partner, let subject, _, let label): "compose to \(partner) \(OpText.quote(subject)) as \(label)"
        case .reply(let thread, let text): "reply in \(thread): \(OpText.quote(text))"
        case .read(let thread, let through): through.map { "read \(thread) through message \($0)" } ?? "read \(thread)"
        case .unread(let thread): "mark \(thread) unread"
        case .draft(let target, let text, _, _): "draft \(describe(target)): \(OpText.quote(text))"
        case .discard(let target): "discard draft \(describe(target))"
        case .send(let target, _): "send draft \(describe(target))"
        }
    }

    static func describe(_ target: DraftTarget) -> String {
        switch target {
        case .thread(let label): "of \(label)"
        case .compose(let label): "new \(label)"
        }
    }

    // MARK: Server-side writers

    /// A partner writes through the partner API: the server makes the op for the partner.
    func partnerWrites(_ event: PartnerEvent) -> [ScenarioFailure] {
        let body: OpBody
        if let label = event.label {
            body = .startConversation(StartConversation(kind: .direct, partner: event.partner,
                                                        subject: event.subject ?? "Message", body: event.text))
            return serverWrites([(.partner(event.partner), body)], what: "partner \(event.partner) starts \(label)",
                                label: label)
        }
        let thread = event.thread ?? ""
        guard let conversation = labels[thread] else {
            return lenientFailure("partner \(event.partner) writes in \(thread)", "thread \(thread) has not been made")
        }
        return serverWrites([(.partner(event.partner), .postMessage(PostMessage(conversation: conversation, body: event.text)))],
                            what: "partner \(event.partner) writes in \(thread)", label: nil)
    }

    /// The platform writes: a notification, a status change, or a partner leaving (both).
    func platformWrites(_ event: PlatformEventSpec) -> [ScenarioFailure] {
        var ops: [(actor: Principal, body: OpBody)] = []
        let partner = document.partners.first { $0.id == event.partner }
        let current = (try? server.replica.partner(event.partner).panel.partner)
        // As the server does: a partner who has left already is not ended again.
        if event.kind == .status || (event.kind == .partnerLeft && current?.status != .ended) {
            var updated = current ?? Partner(id: event.partner, name: partner?.name ?? event.partner.rawValue,
                                             contactEmail: "\(event.partner)@example.com", status: .active,
                                             statusSince: clock.nowMilliseconds())
            updated.status = event.kind == .partnerLeft ? .ended : (event.status ?? .active)
            updated.statusSince = server.clock.nowMilliseconds()
            ops.append((.platform, .upsertPartner(updated)))
        }
        if event.kind != .status {
            let name = partner?.name ?? event.partner.rawValue
            let subject = event.subject ?? (event.kind == .partnerLeft ? "\(name) left the platform" : "Notification: \(name)")
            let text = event.text ?? "\(name) has left the platform."
            ops.append((.platform, .startConversation(StartConversation(kind: .system, partner: event.partner,
                                                                        subject: subject, body: text))))
        }
        // An event id makes the notification once, as the server's `POST /v1/platform/events`
        // does: a repeat is the same event when it makes the same notification.
        var once: ExternalID?
        var sameRequest: (@Sendable ([Op]) -> Bool)?
        if event.kind != .status, let id = event.id, let last = ops.last {
            once = ExternalID(source: "platform-event", id: id)
            sameRequest = ExternalID.sameLastOp(actor: last.actor, body: last.body)
        }
        return serverWrites(ops, what: "platform \(event.kind.rawValue) for \(event.partner)"
                                + (event.id.map { " (event \($0))" } ?? ""),
                            label: event.kind == .status ? nil : event.label, once: once, sameRequest: sameRequest)
    }

    private func serverWrites(_ ops: [(actor: Principal, body: OpBody)], what: String, label: String?,
                              once: ExternalID? = nil,
                              sameRequest: (@Sendable ([Op]) -> Bool)? = nil) -> [ScenarioFailure] {
        touched.insert("server")
        do {
            let result = try server.replica.performServerOps(ops, once: once, sameRequest: sameRequest)
            if let label, let dot = result.dots.last { labels[label] = ConversationID(dot) }
            trace.add(1, "server: \(what): \(result.dots.map(\.description).joined(separator: ", "))"
                        + (result.duplicate ? " (delivered before: nothing new)" : ""))
            return []
        } catch {
            return lenientFailure(what, "\(error.code.rawValue): \(error.message)")
        }
    }

    private func lenientFailure(_ what: String, _ why: String) -> [ScenarioFailure] {
        trace.add(1, "server: \(what) refused: \(why)")
        if document.lenient { return [] }
        return [ScenarioFailure(.action, node: "server", "\(what) was refused", expected: "success", actual: why)]
    }
}
