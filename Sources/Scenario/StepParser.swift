import InboxModel
import SyncEngine
import Yams

/// Reads the `steps` of a scenario file, checking names as it goes: devices must be declared or
/// enrolled first, threads and drafts labelled by an earlier step.
struct StepParser {
    let file: String?
    var users: Set<UserID>
    var partners: Set<PartnerID>
    var devices: Set<String>
    var threads: Set<String> = []
    var composeDrafts: Set<String> = []

    init(file: String?, users: Set<UserID>, partners: Set<PartnerID>, devices: Set<String>) {
        self.file = file
        self.users = users
        self.partners = partners
        self.devices = devices
    }

    static let actions = ["offline", "online", "heal", "sync", "advance", "clock", "enroll", "compose", "reply", "read", "unread",
                          "draft", "discard", "send", "partner", "platform", "drop", "duplicate", "reorder", "delay",
                          "cut", "truncate", "corrupt", "crash", "deliver", "expect"]

    mutating func step(_ node: Node) throws(ScenarioError) -> Step {
        var fields = try YAMLFields(node, file: file, what: "a step")
        let line = fields.line
        guard let action = fields.firstKey else {
            throw ScenarioError("bad_scenario", "a step is empty", file: file, line: line)
        }
        guard Self.actions.contains(action) else {
            throw ScenarioError("bad_scenario", "unknown step `\(action)`; steps are \(Self.actions.joined(separator: ", "))",
                                file: file, line: line)
        }
        let what = "a `\(action)` step"
        let result: StepAction
        switch action {
        case "offline", "online":
            let names = try deviceNames(fields.required(action, in: what))
            result = action == "offline" ? .offline(names) : .online(names)
        case "heal":
            let node = try fields.required(action, in: what)
            guard try YAMLValue.string(node, action, file: file) == "all" else {
                throw ScenarioError("bad_scenario", "write `heal: all`", file: file, line: line)
            }
            result = .heal
        case "sync":
            let node = try fields.required(action, in: what)
            if case .scalar(let scalar) = node, scalar.string == "all" {
                result = .sync(nil)
            } else {
                result = .sync(try deviceNames(node))
            }
        case "advance":
            let node = try fields.required(action, in: what)
            let ms = try YAMLValue.duration(node, action, file: file)
            guard ms >= 0 else { throw ScenarioError("bad_scenario", "time only moves forward", file: file, line: line) }
            result = .advance(ms: UInt64(ms))
        case "clock":
            let name = try nodeName(fields.requiredString(action, in: what), line: line)
            result = .clock(node: name, offsetMs: try YAMLValue.duration(fields.required("offset", in: what), "offset",
                                                                          file: file))
        case "enroll":
            let name = try fields.requiredString(action, in: what)
            let user = try fields.requiredString("user", in: what)
            let offset = try fields.node("clock").map { node throws(ScenarioError) in
                try YAMLValue.duration(node, "clock", file: file)
            }
            var mapping = Node.Mapping([])
            mapping[Node("name")] = Node(name)
            mapping[Node("user")] = Node(user)
            if let offset { mapping[Node("clock")] = Node(DurationText.text(offset)) }
            let spec = try ScenarioParser.device(Node.mapping(mapping), file: file)
            guard users.contains(spec.user) else {
                throw ScenarioError("bad_scenario", "no user \(spec.user) in `users`", file: file, line: line)
            }
            guard !devices.contains(name) else {
                throw ScenarioError("bad_scenario", "there is already a device \(name)", file: file, line: line)
            }
            devices.insert(name)
            result = .enroll(spec)
        case "compose", "reply", "read", "unread", "draft", "discard", "send":
            result = try userStep(action, &fields, line: line)
        case "partner":
            result = .partner(try partnerStep(&fields, line: line))
        case "platform":
            result = .platform(try platformStep(&fields, line: line))
        case "drop", "duplicate", "reorder", "delay", "cut", "truncate", "corrupt":
            result = .fault(try faultStep(action, &fields, line: line))
        case "crash":
            result = try crashStep(&fields, line: line)
        case "deliver":
            guard try fields.requiredString(action, in: what) == "server" else {
                throw ScenarioError("bad_scenario", "write `deliver: server`: the server delivers", file: file, line: line)
            }
            result = .deliver
        default:
            if try fields.requiredString("expect", in: what) == "mail" {
                result = .expect(try mailExpectation(&fields, line: line))
            } else {
                result = .expect(try expectation(&fields, line: line))
            }
        }
        try fields.finish(what)
        return Step(result, line: line)
    }

    // MARK: Names

    func checkUnique(_ names: [String], _ what: String, line: Int?) throws(ScenarioError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw ScenarioError("bad_scenario", "\(what) \(name) is declared twice", file: file, line: line)
        }
    }

    private func deviceNames(_ node: Node) throws(ScenarioError) -> [String] {
        let names = try YAMLValue.names(node, "device", file: file)
        for name in names { _ = try deviceName(name, line: node.mark?.line) }
        return names
    }

    private func deviceName(_ name: String, line: Int?) throws(ScenarioError) -> String {
        try known(name, in: devices, line: line, "no device \(name) (declare it in `devices` or enroll it first)")
    }

    /// `name` when `names` has it, else a `bad_scenario` error saying `why`.
    private func known(_ name: String, in names: Set<String>, line: Int?,
                       _ why: @autoclosure () -> String) throws(ScenarioError) -> String {
        guard names.contains(name) else { throw ScenarioError("bad_scenario", why(), file: file, line: line) }
        return name
    }

    private func nodeName(_ name: String, line: Int?) throws(ScenarioError) -> String {
        name == "server" ? name : try deviceName(name, line: line)
    }

    private func partnerID(_ text: String, line: Int?) throws(ScenarioError) -> PartnerID {
        guard let partner = PartnerID(rawValue: text), partners.contains(partner) else {
            throw ScenarioError("bad_scenario", "no partner \(text) in `partners`", file: file, line: line)
        }
        return partner
    }

    private func thread(_ label: String, line: Int?) throws(ScenarioError) -> String {
        try known(label, in: threads, line: line,
                  "no thread labelled \(label) yet (an earlier step must make it with `as:` or `new:`)")
    }

    private mutating func newLabel(_ label: String, line: Int?) throws(ScenarioError) -> String {
        guard !threads.contains(label), !composeDrafts.contains(label) else {
            throw ScenarioError("bad_scenario", "the label \(label) is already taken", file: file, line: line)
        }
        threads.insert(label)
        return label
    }

    // MARK: Step kinds

    private mutating func userStep(_ action: String, _ fields: inout YAMLFields,
                                   line: Int?) throws(ScenarioError) -> StepAction {
        let what = "a `\(action)` step"
        let device = try deviceName(fields.requiredString(action, in: what), line: line)
        let expectError = try fields.string("error")
        let userAction: UserAction
        switch action {
        case "compose":
            let to = try partnerID(fields.requiredString("to", in: what), line: line)
            let subject = try fields.requiredString("subject", in: what)
            let text = try fields.requiredString("text", in: what)
            userAction = .compose(to: to, subject: subject, text: text,
                                  label: try newLabel(fields.requiredString("as", in: what), line: line))
        case "reply":
            let thread = try thread(fields.requiredString("thread", in: what), line: line)
            userAction = .reply(thread: thread, text: try fields.requiredString("text", in: what))
        case "read":
            let label = try thread(fields.requiredString("thread", in: what), line: line)
            let through = try fields.int("through")
            if let through, through < 1 {
                throw ScenarioError("bad_scenario", "`through` counts messages from 1", file: file, line: line)
            }
            userAction = .read(thread: label, through: through)
        case "unread":
            userAction = .unread(thread: try thread(fields.requiredString("thread", in: what), line: line))
        case "draft":
            let target = try draftTarget(&fields, what: what, line: line, creating: true)
            let text = try fields.requiredString("text", in: what)
            let to = try fields.string("to").map { text throws(ScenarioError) in try partnerID(text, line: line) }
            userAction = .draft(target, text: text, to: to, subject: try fields.string("subject"))
        case "discard":
            userAction = .discard(try draftTarget(&fields, what: what, line: line, creating: false))
        default:
            let target = try draftTarget(&fields, what: what, line: line, creating: false)
            let label = try fields.string("as").map { label throws(ScenarioError) in try newLabel(label, line: line) }
            userAction = .send(target, label: label)
        }
        return .user(device: device, userAction, expectError: expectError)
    }

    private mutating func draftTarget(_ fields: inout YAMLFields, what: String, line: Int?,
                                      creating: Bool) throws(ScenarioError) -> DraftTarget {
        if let thread = try fields.string("thread") {
            return .thread(try self.thread(thread, line: line))
        }
        guard let label = try fields.string("new") else {
            throw ScenarioError("bad_scenario", "\(what) needs `thread:` (a thread's draft) or `new:` (a new-message draft)",
                                file: file, line: line)
        }
        if creating {
            guard !threads.contains(label) else {
                throw ScenarioError("bad_scenario", "the label \(label) names a thread, not a new-message draft",
                                    file: file, line: line)
            }
            composeDrafts.insert(label)
        } else if !composeDrafts.contains(label) {
            throw ScenarioError("bad_scenario", "no new-message draft labelled \(label) yet", file: file, line: line)
        }
        return .compose(label)
    }

    private mutating func partnerStep(_ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> PartnerEvent {
        let what = "a `partner` step"
        let partner = try partnerID(fields.requiredString("partner", in: what), line: line)
        let text = try fields.requiredString("text", in: what)
        if let label = try fields.string("new") {
            let subject = try fields.requiredString("subject", in: what)
            return PartnerEvent(partner: partner, label: try newLabel(label, line: line), subject: subject, text: text)
        }
        guard let thread = try fields.string("thread") else {
            throw ScenarioError("bad_scenario", "\(what) needs `new:` (a new thread) or `thread:`", file: file, line: line)
        }
        return PartnerEvent(partner: partner, thread: try self.thread(thread, line: line), text: text)
    }

    private mutating func platformStep(_ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> PlatformEventSpec {
        let what = "a `platform` step"
        let kind = try YAMLValue.choice(fields.required("platform", in: what), "platform", file: file,
                                        as: PlatformEventSpec.Kind.self)
        let partner = try partnerID(fields.requiredString("partner", in: what), line: line)
        let label = try fields.string("as").map { label throws(ScenarioError) in try newLabel(label, line: line) }
        let subject = try fields.string("subject")
        let text = try fields.string("text")
        let status = try fields.node("status").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "status", file: file, as: PartnershipStatus.self)
        }
        let id = try fields.string("id")
        if let id, !(1...200).contains(id.utf8.count) || id.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw ScenarioError("bad_scenario", "an event `id` is 1 to 200 characters without spaces", file: file, line: line)
        }
        switch kind {
        case .notify where text == nil:
            throw ScenarioError("bad_scenario", "a `notify` event needs `text`", file: file, line: line)
        case .status where status == nil:
            throw ScenarioError("bad_scenario", "a `status` event needs `status`", file: file, line: line)
        case .status where label != nil || subject != nil || text != nil || id != nil:
            throw ScenarioError("bad_scenario", "a `status` event takes `partner` and `status` only: it writes no "
                                + "notification", file: file, line: line)
        case .notify where status != nil, .partnerLeft where status != nil:
            throw ScenarioError("bad_scenario", "only a `status` event takes `status`", file: file, line: line)
        default: break
        }
        return PlatformEventSpec(kind: kind, partner: partner, label: label, subject: subject, text: text, status: status,
                                 id: id)
    }

    private func crashStep(_ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> StepAction {
        let name = try nodeName(fields.requiredString("crash", in: "a `crash` step"), line: line)
        let point = try fields.node("at").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "at", file: file, as: CrashPoint.self)
        } ?? .now
        var batch: ArmedFailpoint.Batch?
        if let node = fields.node("batch") {
            let number = try YAMLValue.int(node, "batch", file: file)
            guard (1...1_000_000).contains(number) else {
                throw ScenarioError("bad_scenario", "`batch` counts received batches from 1 (at most 1000000)", file: file,
                                    line: line)
            }
            batch = .number(number)
        }
        if let node = fields.node("progress") {
            guard batch == nil else {
                throw ScenarioError("bad_scenario", "`batch` and `progress` both say which batch: give one", file: file,
                                    line: line)
            }
            let text = try YAMLValue.string(node, "progress", file: file)
            guard case .progress(let percent)? = ArmedFailpoint.batch(text.hasSuffix("%") ? text : text + "%") else {
                throw ScenarioError("bad_scenario", "`progress` is a percentage from 1% to 100%, not \(text)", file: file,
                                    line: line)
            }
            batch = .progress(percent)
        }
        if batch != nil, !point.inSync {
            throw ScenarioError("bad_scenario", "`batch` and `progress` place a crash in a sync: use them with "
                                + "`before-commit`, `after-commit` or `mid-batch`", file: file, line: line)
        }
        if point == .afterAction, name == "server" {
            throw ScenarioError("bad_scenario", "`after-action` follows a user's action on a device; the server has none",
                                file: file, line: line)
        }
        return .crash(node: name, CrashSpec(point, batch: batch))
    }

    private func faultStep(_ action: String, _ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> Fault {
        let what = "a `\(action)` step"
        let device = try deviceName(fields.requiredString(action, in: what), line: line)
        let direction = try fields.node("direction").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "direction", file: file, as: Fault.Direction.self)
        }
        let frame = try fields.node("frame").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "frame", file: file, as: Fault.FrameKind.self)
        }
        let count = try fields.int("count") ?? 1
        guard count >= 1 else { throw ScenarioError("bad_scenario", "`count` must be at least 1", file: file, line: line) }
        let skip = try fields.int("skip") ?? 0
        guard skip >= 0 else { throw ScenarioError("bad_scenario", "`skip` cannot be negative", file: file, line: line) }
        var delay: Int64 = 0
        if action == "delay" {
            delay = try YAMLValue.duration(fields.required("by", in: what), "by", file: file)
            guard delay >= 0 else { throw ScenarioError("bad_scenario", "`by` cannot be negative", file: file, line: line) }
        }
        return Fault(kind: Fault.Kind(rawValue: action) ?? .drop, device: device, direction: direction ?? .both,
                     frame: frame ?? .any, count: count, delayMs: UInt64(delay), skip: skip)
    }

    private mutating func expectation(_ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> Expectation {
        let subject = try fields.requiredString("expect", in: "an `expect` step")
        if subject == "converged" {
            let names = try fields.node("devices").map { node throws(ScenarioError) in try deviceNames(node) } ?? []
            return .converged(names)
        }
        let name = try nodeName(subject, line: line)
        var expected = NodeExpectation()
        if let label = try fields.string("thread") { expected.thread = try thread(label, line: line) }
        if let label = try fields.string("new") {
            guard composeDrafts.contains(label) else {
                throw ScenarioError("bad_scenario", "no new-message draft labelled \(label) yet", file: file, line: line)
            }
            expected.compose = label
        }
        expected.messages = try fields.node("messages").map { node throws(ScenarioError) in
            try YAMLValue.strings(node, "messages", file: file)
        }
        expected.authors = try fields.node("authors").map { node throws(ScenarioError) in
            try YAMLValue.strings(node, "authors", file: file)
        }
        expected.count = try fields.int("count")
        expected.unread = try fields.bool("unread")
        if let node = fields.node("draft") {
            if case .scalar(let scalar) = node, scalar.style == .plain, ["~", "null", ""].contains(scalar.string) {
                expected.draft = DraftExpectation.none
            } else {
                expected.draft = .text(try YAMLValue.string(node, "draft", file: file))
            }
        }
        if let node = fields.node("conflict") {
            if case .scalar = node {
                expected.draft = try YAMLValue.bool(node, "conflict", file: file) ? .conflict([]) : .notConflicted
            } else {
                expected.draft = .conflict(try YAMLValue.strings(node, "conflict", file: file))
            }
        }
        if fields.node("draft") != nil, fields.node("conflict") != nil {
            throw ScenarioError("bad_scenario", "`draft:` and `conflict:` are two answers to one question: give one",
                                file: file, line: line)
        }
        if expected.draft != nil, expected.thread == nil, expected.compose == nil {
            throw ScenarioError("bad_scenario", "a draft expectation needs `thread:` or `new:`", file: file, line: line)
        }
        if let text = try fields.string("partner") { expected.partner = try partnerID(text, line: line) }
        expected.status = try fields.node("status").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "status", file: file, as: PartnershipStatus.self)
        }
        if (expected.partner == nil) != (expected.status == nil) {
            throw ScenarioError("bad_scenario", "`partner:` and `status:` go together", file: file, line: line)
        }
        if let node = fields.node("inbox") {
            let labels = try YAMLValue.strings(node, "inbox", file: file)
            for label in labels { _ = try thread(label, line: node.mark?.line) }
            expected.inbox = labels
        }
        expected.conversations = try fields.int("conversations")
        expected.pending = try fields.int("pending")
        if let pending = expected.pending, pending < 0 {
            throw ScenarioError("bad_scenario", "`pending` cannot be negative", file: file, line: line)
        }
        if name == "server", expected.pending != nil {
            throw ScenarioError("bad_scenario", "`pending` counts what a device has not pushed yet: expect it on a device",
                                file: file, line: line)
        }
        if let node = fields.node("delivery") {
            expected.delivery = try deliveryStates(node)
        }
        expected.sessions = try range(&fields, "sessions", line: line)
        expected.opsUp = try range(&fields, "ops-up", line: line)
        expected.opsDown = try range(&fields, "ops-down", line: line)
        expected.bytesUp = try range(&fields, "bytes-up", line: line)
        expected.bytesDown = try range(&fields, "bytes-down", line: line)
        expected.wireRatio = try range(&fields, "wire-ratio", line: line)
        expected.progress = try range(&fields, "progress", line: line)
        if name == "server", expected.measures {
            throw ScenarioError("bad_scenario", "sessions, ops, bytes, wire-ratio and progress are measured on a device's "
                                + "link: expect them on a device", file: file, line: line)
        }
        if name == "server", expected.unread != nil || expected.draft != nil || expected.compose != nil {
            throw ScenarioError("bad_scenario", "the server's replica belongs to no user, so it has no unread state and "
                                + "no drafts: expect `unread`, `draft`, `conflict` and `new` on a device", file: file,
                                line: line)
        }
        if (expected.messages != nil || expected.authors != nil || expected.count != nil || expected.unread != nil
            || expected.delivery != nil), expected.thread == nil {
            throw ScenarioError("bad_scenario", "messages, authors, count, unread and delivery need `thread:`", file: file,
                                line: line)
        }
        return .node(name, expected)
    }

    /// `delivery: [-, sent, {failed: has left}]`: per message, no state (`-`, `~`), a state, or a
    /// state with text its reason must contain.
    private func deliveryStates(_ node: Node) throws(ScenarioError) -> [DeliveryExpectation] {
        guard case .sequence(let sequence) = node else {
            throw ScenarioError("bad_scenario", "`delivery` is a list: one state per message of the thread", file: file,
                                line: node.mark?.line)
        }
        var result: [DeliveryExpectation] = []
        for item in sequence {
            let line = item.mark?.line
            func state(_ text: String) throws(ScenarioError) -> DeliveryState {
                guard let state = DeliveryState(rawValue: text) else {
                    throw ScenarioError("bad_scenario", "a delivery state is pending, queued, sent or failed (or - for none), "
                                        + "not \(text)", file: file, line: line)
                }
                return state
            }
            switch item {
            case .scalar(let scalar):
                if ["-", "~", "null", "none", ""].contains(scalar.string) {
                    result.append(DeliveryExpectation(state: nil))
                } else {
                    result.append(DeliveryExpectation(state: try state(scalar.string)))
                }
            case .mapping(let mapping) where mapping.count == 1:
                let (key, value) = mapping.first!
                result.append(DeliveryExpectation(state: try state(YAMLValue.string(key, "delivery", file: file)),
                                                  reason: try YAMLValue.string(value, "delivery", file: file)))
            default:
                throw ScenarioError("bad_scenario", "a delivery entry is a state, or `{STATE: text of its reason}`",
                                    file: file, line: line)
            }
        }
        return result
    }

    /// A measurement range field (`12`, `10..20`, `..1.2`, `40%..`).
    private func range(_ fields: inout YAMLFields, _ key: String, line: Int?) throws(ScenarioError) -> ValueRange? {
        guard let node = fields.node(key) else { return nil }
        let text = try YAMLValue.string(node, key, file: file)
        guard let range = ValueRange(text) else {
            throw ScenarioError("bad_scenario", "`\(key)` is a number or a range such as 10..20, ..1.2 or 40..; not \(text)",
                                file: file, line: node.mark?.line ?? line)
        }
        return range
    }

    /// `expect: mail`: what partners received.
    private func mailExpectation(_ fields: inout YAMLFields, line: Int?) throws(ScenarioError) -> Expectation {
        var expected = MailExpectation()
        if let text = try fields.string("to") { expected.to = try partnerID(text, line: line) }
        if let label = try fields.string("thread") { expected.thread = try thread(label, line: line) }
        expected.count = try fields.int("count")
        expected.copies = try fields.int("copies")
        if let count = expected.count, count < 0 {
            throw ScenarioError("bad_scenario", "`count` cannot be negative", file: file, line: line)
        }
        if let copies = expected.copies, copies < 1 {
            throw ScenarioError("bad_scenario", "`copies` is at least 1 (for none, write `count: 0`)", file: file, line: line)
        }
        expected.messages = try fields.node("messages").map { node throws(ScenarioError) in
            try YAMLValue.strings(node, "messages", file: file)
        }
        expected.subject = try fields.string("subject")
        expected.threaded = try fields.bool("threaded")
        if expected.threaded == false {
            throw ScenarioError("bad_scenario", "`threaded: false` would check nothing: write `threaded: true` or leave it out",
                                file: file, line: line)
        }
        if expected.threaded != nil, expected.thread == nil {
            throw ScenarioError("bad_scenario", "`threaded` needs `thread:`", file: file, line: line)
        }
        if expected.count == nil, expected.copies == nil, expected.messages == nil, expected.subject == nil,
           expected.threaded == nil {
            throw ScenarioError("bad_scenario", "`expect: mail` needs one of count, copies, messages, subject, threaded",
                                file: file, line: line)
        }
        return .mail(expected)
    }
}
