import Foundation
import InboxModel
import Yams

/// Writes a ``ScenarioDocument`` as a scenario file that ``ScenarioParser`` reads back to the same
/// document (the fuzzer's shrunk failures are written this way).
public enum ScenarioWriter {
    public static func yaml(_ document: ScenarioDocument) -> String {
        var root: [(String, Node)] = [("name", Node(document.name))]
        if let description = document.description { root.append(("description", Node(description))) }
        if let seed = document.seed { root.append(("seed", Node(String(seed)))) }
        root.append(("start", Node(String(document.startMs))))
        root.append(("brand", Node(document.brand.rawValue)))
        if let size = document.batchSize { root.append(("batch-size", Node(String(size)))) }
        if document.lenient { root.append(("lenient", Node("true"))) }
        root.append(("users", Node(document.users.map { user in
            mapping([("id", Node(user.id.rawValue)), ("name", Node(user.name))], flow: true)
        })))
        root.append(("partners", Node(document.partners.map { partner in
            mapping([("id", Node(partner.id.rawValue)), ("name", Node(partner.name)), ("status", Node(partner.status.rawValue))],
                    flow: true)
        })))
        root.append(("devices", Node(document.devices.map { device in
            var fields = [("name", Node(device.name)), ("user", Node(device.user.rawValue))]
            if device.clockOffsetMs != 0 { fields.append(("clock", Node(DurationText.text(device.clockOffsetMs)))) }
            return mapping(fields, flow: true)
        })))
        root.append(("steps", Node(document.steps.map { step in mapping(fields(step.action), flow: true) })))
        return (try? Yams.serialize(node: mapping(root, flow: false), width: -1)) ?? ""
    }

    static func mapping(_ pairs: [(String, Node)], flow: Bool) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) }, .implicit, flow ? .flow : .block)
    }

    /// The fields of one step, as a file writes them.
    static func fields(_ action: StepAction) -> [(String, Node)] {
        func names(_ names: [String]) -> Node { names.count == 1 ? Node(names[0]) : Node(names.map { Node($0) }) }
        switch action {
        case .offline(let list): return [("offline", names(list))]
        case .online(let list): return [("online", names(list))]
        case .heal: return [("heal", Node("all"))]
        case .sync(let list): return [("sync", list.map(names) ?? Node("all"))]
        case .advance(let ms): return [("advance", Node(DurationText.text(Int64(clamping: ms))))]
        case .clock(let node, let offset): return [("clock", Node(node)), ("offset", Node(DurationText.text(offset)))]
        case .enroll(let spec):
            var fields = [("enroll", Node(spec.name)), ("user", Node(spec.user.rawValue))]
            if spec.clockOffsetMs != 0 { fields.append(("clock", Node(DurationText.text(spec.clockOffsetMs)))) }
            return fields
        case .user(let device, let action, let error):
            return userFields(device, action) + (error.map { [("error", Node($0))] } ?? [])
        case .partner(let event):
            var fields = [("partner", Node(event.partner.rawValue))]
            if let label = event.label { fields += [("new", Node(label)), ("subject", Node(event.subject ?? ""))] }
            if let thread = event.thread { fields.append(("thread", Node(thread))) }
            return fields + [("text", Node(event.text))]
        case .platform(let event):
            var fields = [("platform", Node(event.kind.rawValue)), ("partner", Node(event.partner.rawValue))]
            if let label = event.label { fields.append(("as", Node(label))) }
            if let subject = event.subject { fields.append(("subject", Node(subject))) }
            if let text = event.text { fields.append(("text", Node(text))) }
            if let status = event.status { fields.append(("status", Node(status.rawValue))) }
            if let id = event.id { fields.append(("id", Node(id))) }
            return fields
        case .fault(let fault):
            var fields = [(fault.kind.rawValue, Node(fault.device))]
            if fault.direction != .both { fields.append(("direction", Node(fault.direction.rawValue))) }
            if fault.frame != .any { fields.append(("frame", Node(fault.frame.rawValue))) }
            if fault.count != 1 { fields.append(("count", Node(String(fault.count)))) }
            if fault.skip != 0 { fields.append(("skip", Node(String(fault.skip)))) }
            if fault.kind == .delay { fields.append(("by", Node(DurationText.text(Int64(clamping: fault.delayMs))))) }
            return fields
        case .crash(let node, let spec):
            var fields = [("crash", Node(node))] + (spec.point == .now ? [] : [("at", Node(spec.point.rawValue))])
            switch spec.batch {
            case .number(let number)?: fields.append(("batch", Node(String(number))))
            case .progress(let percent)?: fields.append(("progress", Node("\(percent)%")))
            case nil: break
            }
            return fields
        case .deliver:
            return [("deliver", Node("server"))]
        case .expect(.mail(let expected)):
            return [("expect", Node("mail"))] + mailFields(expected)
        case .expect(.converged(let list)):
            return [("expect", Node("converged"))] + (list.isEmpty ? [] : [("devices", names(list))])
        case .expect(.node(let node, let expected)):
            return [("expect", Node(node))] + expectationFields(expected)
        }
    }

    private static func userFields(_ device: String, _ action: UserAction) -> [(String, Node)] {
        func target(_ target: DraftTarget) -> (String, Node) {
            switch target {
            case .thread(let label): ("thread", Node(label))
            case .compose(let label): ("new", Node(label))
            }
        }
        switch action {
        case .compose(let to, let subject, let text, let label):
            return [("compose", Node(device)), ("to", Node(to.rawValue)), ("subject", Node(subject)), ("text", Node(text)),
                    ("as", Node(label))]
        case .reply(let thread, let text): return [("reply", Node(device)), ("thread", Node(thread)), ("text", Node(text))]
        case .read(let thread, let through):
            return [("read", Node(device)), ("thread", Node(thread))] + (through.map { [("through", Node(String($0)))] } ?? [])
        case .unread(let thread): return [("unread", Node(device)), ("thread", Node(thread))]
        case .draft(let draftTarget, let text, let to, let subject):
            var fields = [("draft", Node(device)), target(draftTarget), ("text", Node(text))]
            if let to { fields.append(("to", Node(to.rawValue))) }
            if let subject { fields.append(("subject", Node(subject))) }
            return fields
        case .discard(let draftTarget): return [("discard", Node(device)), target(draftTarget)]
        case .send(let draftTarget, let label):
            return [("send", Node(device)), target(draftTarget)] + (label.map { [("as", Node($0))] } ?? [])
        }
    }

    private static func expectationFields(_ expected: NodeExpectation) -> [(String, Node)] {
        var fields: [(String, Node)] = []
        if let thread = expected.thread { fields.append(("thread", Node(thread))) }
        if let compose = expected.compose { fields.append(("new", Node(compose))) }
        if let messages = expected.messages { fields.append(("messages", Node(messages.map { Node($0) }))) }
        if let authors = expected.authors { fields.append(("authors", Node(authors.map { Node($0) }))) }
        if let count = expected.count { fields.append(("count", Node(String(count)))) }
        if let unread = expected.unread { fields.append(("unread", Node(String(unread)))) }
        switch expected.draft {
        case .none?: fields.append(("draft", Node("null")))
        case .text(let text)?: fields.append(("draft", Node(text, .implicit, .doubleQuoted)))
        case .conflict(let texts)?:
            fields.append(("conflict", texts.isEmpty ? Node("true") : Node(texts.map { Node($0) })))
        case .notConflicted?: fields.append(("conflict", Node("false")))
        case nil: break
        }
        if let partner = expected.partner { fields.append(("partner", Node(partner.rawValue))) }
        if let status = expected.status { fields.append(("status", Node(status.rawValue))) }
        if let inbox = expected.inbox { fields.append(("inbox", Node(inbox.map { Node($0) }))) }
        if let count = expected.conversations { fields.append(("conversations", Node(String(count)))) }
        if let pending = expected.pending { fields.append(("pending", Node(String(pending)))) }
        if let delivery = expected.delivery {
            fields.append(("delivery", Node(delivery.map { entry in
                guard let state = entry.state else { return Node("-") }
                guard let reason = entry.reason else { return Node(state.rawValue) }
                return Node([(Node(state.rawValue), Node(reason))])
            })))
        }
        let ranges: [(String, ValueRange?)] = [
            ("sessions", expected.sessions), ("ops-up", expected.opsUp), ("ops-down", expected.opsDown),
            ("bytes-up", expected.bytesUp), ("bytes-down", expected.bytesDown), ("wire-ratio", expected.wireRatio),
            ("progress", expected.progress),
        ]
        for case let (key, range?) in ranges { fields.append((key, Node(range.description, .implicit, .doubleQuoted))) }
        return fields
    }

    private static func mailFields(_ expected: MailExpectation) -> [(String, Node)] {
        var fields: [(String, Node)] = []
        if let to = expected.to { fields.append(("to", Node(to.rawValue))) }
        if let thread = expected.thread { fields.append(("thread", Node(thread))) }
        if let count = expected.count { fields.append(("count", Node(String(count)))) }
        if let copies = expected.copies { fields.append(("copies", Node(String(copies)))) }
        if let messages = expected.messages { fields.append(("messages", Node(messages.map { Node($0) }))) }
        if let subject = expected.subject { fields.append(("subject", Node(subject, .implicit, .doubleQuoted))) }
        if let threaded = expected.threaded { fields.append(("threaded", Node(String(threaded)))) }
        return fields
    }
}

/// A step in one line, as a file would write it (for traces and reports).
enum StepText {
    static func describe(_ action: StepAction) -> String {
        let node = ScenarioWriter.mapping(ScenarioWriter.fields(action), flow: true)
        let text = (try? Yams.serialize(node: node, width: -1)) ?? "\(action)"
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
