import Causality
import InboxModel
import Replica

extension LiveWorld {
    /// What one command did to a user action: done, or refused with the CLI's stable code.
    private enum Outcome {
        case done
        case refused(code: String, message: String)
    }

    /// A user acts on a device: one `outpost` command on its replica.
    func perform(_ action: UserAction, on device: SimNode, expectError: String?) throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert(device.name)
        // Only an action armed to die needs to know what the file held before it.
        let before = device.armedCrash?.point == .afterAction
            ? try read(device) { replica throws(ReplicaError) in try replica.versionVector() } : nil
        killedAfterAction = false
        switch try act(action, on: device) {
        case .done:
            var failures = outcome(of: action, on: device, refusal: nil, expectError: expectError)
            if killedAfterAction, let before {
                trace.add(1, "\(device.name) KILLED (kill -9) right after its action committed; its next command starts from its file")
                device.armedCrash = nil
                try recoverLabels(of: action, on: device, since: before)
                failures += try lostNothing(device, before: before)
            }
            return failures
        case .refused(let code, let message):
            return outcome(of: action, on: device, refusal: (code, message), expectError: expectError)
        }
    }

    /// A command killed at `after-action` printed nothing: the conversation or draft a labelled
    /// action made is found in the replica instead, among the device's own ops since `before`.
    private func recoverLabels(of action: UserAction, on device: SimNode, since before: VersionVector) throws(ScenarioError) {
        // The device made these ops itself, and nothing else reached its file since `before`.
        let made = try read(device) { replica throws(ReplicaError) in try replica.ops(missingFrom: before, limit: 1_000).ops }
        switch action {
        case .compose(_, _, _, let label), .send(_, let label?):
            if let start = made.last(where: { if case .startConversation = $0.body { true } else { false } }) {
                labels[label] = ConversationID(start.dot)
            }
        case .draft(.compose(let label), _, _, _) where composeKeys[label] == nil:
            for op in made.reversed() {
                if case .saveDraft(let save) = op.body, case .compose = save.key {
                    composeKeys[label] = save.key
                    break
                }
            }
        default:
            break
        }
    }

    private func act(_ action: UserAction, on device: SimNode) throws(ScenarioError) -> Outcome {
        let replica = ["--replica", device.path]
        switch action {
        case .compose(let partner, let subject, let text, let label):
            return try command(device, ["compose"] + replica + ["--partner", partner.rawValue, "--subject", subject, "--json", "-"],
                               stdin: text) { output in
                if let id = LiveCommand.field("conversation", in: output).flatMap({ ConversationID(text: $0) }) {
                    self.labels[label] = id
                }
            }
        case .reply(let thread, let text):
            guard let id = labels[thread] else { return Self.unknown(thread) }
            return try command(device, ["reply"] + replica + [id.description, "-"], stdin: text)
        case .read(let thread, let through):
            guard let id = labels[thread] else { return Self.unknown(thread) }
            return try command(device, ["read"] + replica + [id.description] + (through.map { ["--first", String($0)] } ?? []))
        case .unread(let thread):
            guard let id = labels[thread] else { return Self.unknown(thread) }
            return try command(device, ["unread"] + replica + [id.description])
        case .draft(.thread(let thread), let text, _, _):
            guard let id = labels[thread] else { return Self.unknown(thread) }
            return try command(device, ["draft"] + replica + [id.description, "-"], stdin: text)
        case .draft(.compose(let label), let text, let to, let subject):
            if let key = composeKeys[label] {
                var arguments = ["draft"] + replica + [key.description, "-"]
                if let to { arguments += ["--partner", to.rawValue] }
                if let subject { arguments += ["--subject", subject] }
                return try command(device, arguments, stdin: text)
            }
            guard let to, let subject else {
                throw ScenarioError("live", "a new-message draft needs `to:` and `subject:` at its first save in live mode (`outpost compose --draft`)")
            }
            return try command(device, ["compose"] + replica + ["--draft", "--partner", to.rawValue, "--subject", subject,
                                                                "--json", "-"], stdin: text) { output in
                if let key = LiveCommand.field("draft", in: output).flatMap({ DraftKey(text: $0) }) {
                    self.composeKeys[label] = key
                }
            }
        case .discard(let target):
            guard let key = key(target) else { return Self.noDraft(target) }
            return try command(device, ["draft"] + replica + [key.description, "--discard"])
        case .send(let target, let label):
            guard let key = key(target) else { return Self.noDraft(target) }
            return try command(device, ["draft"] + replica + [key.description, "--send", "--json"]) { output in
                if let label, let message = LiveCommand.field("message", in: output).flatMap({ MessageID(text: $0) }) {
                    self.labels[label] = ConversationID(message.dot)
                }
            }
        }
    }

    /// Runs a device's command; on success hands its standard output to `done`.
    private func command(_ device: SimNode, _ arguments: [String], stdin: String? = nil,
                         done: (String) -> Void = { _ in }) throws(ScenarioError) -> Outcome {
        var environment = environment(of: device)
        let armed = device.armedCrash?.point == .afterAction
        if armed { environment[Self.failpointVariable] = CrashPoint.afterAction.rawValue }
        let result = try outpost(arguments, environment: environment, stdin: stdin)
        if armed, result.killed, result.stderr.contains("failpoint after-action reached") {
            killedAfterAction = true
            return .done
        }
        if result.succeeded {
            done(result.stdout)
            return .done
        }
        if result.signalled { throw ScenarioError("live", "outpost \(arguments[0]) died: \(result.lastError)") }
        return .refused(code: result.errorCode ?? "exit_\(result.status)", message: result.lastError)
    }

    private func key(_ target: DraftTarget) -> DraftKey? {
        switch target {
        case .thread(let label): labels[label].map { .conversation($0) }
        case .compose(let label): composeKeys[label]
        }
    }

    private static func unknown(_ label: String) -> Outcome {
        .refused(code: ReplicaError.Code.unknownConversation.rawValue,
                 message: "thread \(label) has not been made (its step failed or was skipped)")
    }

    private static func noDraft(_ target: DraftTarget) -> Outcome {
        .refused(code: ReplicaError.Code.noDraft.rawValue, message: "draft \(Simulator.describe(target)) has not been made")
    }

    // MARK: Partners and the platform

    /// A partner writes through the real partner API: one line to the partner's
    /// `outpost partner-api batch` process (``PartnerWriter``), one request to the server.
    func partnerWrites(_ event: PartnerEvent) throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert("server")
        let line: [String: Any]
        let what: String
        if let label = event.label {
            line = ["start": ["subject": event.subject ?? "Message", "text": event.text]]
            what = "partner \(event.partner) starts \(label)"
        } else {
            let thread = event.thread ?? ""
            guard let conversation = labels[thread] else {
                return serverRefused("partner \(event.partner) writes in \(thread)", "thread \(thread) has not been made")
            }
            line = ["reply": ["conversation": conversation.description, "text": event.text]]
            what = "partner \(event.partner) writes in \(thread)"
        }
        switch try partnerWriter(event.partner).write(line) {
        case .refused(let code, let message):
            return serverRefused(what, "\(code): \(message)")
        case .written(let conversation, _):
            if let label = event.label, let id = ConversationID(text: conversation) { labels[label] = id }
            trace.add(1, "server: \(what)" + (event.label.map { " as \($0): \(labels[$0]?.description ?? "?")" } ?? ""))
            return []
        }
    }

    /// The partner's writer process, started at its first write (again if the server moved).
    private func partnerWriter(_ partner: PartnerID) throws(ScenarioError) -> PartnerWriter {
        if let writer = partnerWriters[partner], writer.server == serverProcess.url { return writer }
        partnerWriters[partner]?.close()
        let writer = try PartnerWriter(binary: binary, server: serverProcess.url, token: partnerTokens[partner] ?? "",
                                       directory: directory)
        partnerWriters[partner] = writer
        return writer
    }

    /// The platform writes with `outpost admin`: an event (a notification thread; `partner_left`
    /// also ends the partnership) or a status change.
    func platformWrites(_ event: PlatformEventSpec) throws(ScenarioError) -> [ScenarioFailure] {
        touched.insert("server")
        let brand = document.brand.rawValue
        let name = document.partners.first { $0.id == event.partner }?.name ?? event.partner.rawValue
        let what = "platform \(event.kind.rawValue) for \(event.partner)"
        switch event.kind {
        case .status:
            let status = (event.status ?? .active).rawValue
            return try serverWrites(["admin", "--data", serverProcess.data, "partner", "status", "--brand", brand,
                                     event.partner.rawValue, status], what: what, label: nil)
        case .notify, .partnerLeft:
            events += 1
            let left = event.kind == .partnerLeft
            let subject = event.subject ?? (left ? "\(name) left the platform" : "Notification: \(name)")
            let text = event.text ?? "\(name) has left the platform."
            return try serverWrites(["admin", "--data", serverProcess.data, "event", "--brand", brand,
                                     "--id", event.id ?? "scenario-\(events)", "--type", left ? "partner_left" : "product_changed",
                                     "--partner", event.partner.rawValue, "--subject", subject, "--json", "--", text],
                                    what: what, label: event.label)
        }
    }

    private func serverWrites(_ arguments: [String], what: String, label: String?) throws(ScenarioError) -> [ScenarioFailure] {
        let result = try outpost(arguments, environment: serverClock)
        guard result.succeeded else { return serverRefused(what, "\(result.errorCode ?? "error"): \(result.lastError)") }
        if let label, let id = LiveCommand.field("conversation", in: result.stdout).flatMap({ ConversationID(text: $0) }) {
            labels[label] = id
        }
        trace.add(1, "server: \(what)" + (label.map { " as \($0): \(labels[$0]?.description ?? "?")" } ?? ""))
        return []
    }

    private func serverRefused(_ what: String, _ why: String) -> [ScenarioFailure] {
        trace.add(1, "server: \(what) refused: \(why)")
        if document.lenient { return [] }
        return [ScenarioFailure(.action, node: "server", "\(what) was refused", expected: "success", actual: why)]
    }
}
