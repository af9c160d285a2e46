import Foundation
import InboxModel
import Yams

/// Reads a scenario file (YAML, or JSON, which is YAML too) into a ``ScenarioDocument``. Every
/// mistake is a ``ScenarioError`` with the file and line (Protocol/SCENARIOS.md).
public enum ScenarioParser {
    /// Parses `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String? = nil) throws(ScenarioError) -> ScenarioDocument {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        } catch {
            throw ScenarioError("bad_scenario", "not YAML: \(error)", file: file)
        }
        guard let root else { throw ScenarioError("bad_scenario", "the file is empty", file: file, line: 1) }
        return try document(root, file: file)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ScenarioError) -> ScenarioDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError("unreadable", "cannot read the file", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError("bad_scenario", "the file is not UTF-8 text", file: path)
        }
        return try parse(text, file: path)
    }

    private static func describe(_ error: YamlError, file: String?) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return ScenarioError("bad_scenario", "not valid YAML: \(problem)", file: file, line: mark.line)
        default:
            return ScenarioError("bad_scenario", "not valid YAML: \(error)", file: file)
        }
    }

    private static func document(_ root: Node, file: String?) throws(ScenarioError) -> ScenarioDocument {
        var fields = try YAMLFields(root, file: file, what: "the scenario")
        let name = try fields.requiredString("name", in: "the scenario")
        let description = try fields.string("description")
        let seed = try fields.node("seed").map { node throws(ScenarioError) in
            guard let seed = UInt64(try YAMLValue.string(node, "seed", file: file)) else {
                throw ScenarioError("bad_scenario", "`seed` must be a whole number ≥ 0", file: file, line: node.mark?.line)
            }
            return seed
        }
        let start = try fields.node("start").map { node throws(ScenarioError) in try startMs(node, file: file) }
        let brandText = try fields.string("brand") ?? "northwind"
        let brand = try id(BrandID(rawValue: brandText), brandText, "brand", file: file, line: fields.line)
        let batchSize = try fields.node("batch-size").map { node throws(ScenarioError) in
            let size = try YAMLValue.int(node, "batch-size", file: file)
            guard size >= 1 else {
                throw ScenarioError("bad_scenario", "`batch-size` must be at least 1", file: file, line: node.mark?.line)
            }
            return size
        }
        let lenient = try fields.bool("lenient") ?? false
        let users = try list(fields.required("users", in: "the scenario"), "users", file: file) { node throws(ScenarioError) in
            try user(node, file: file)
        }
        let partners = try list(fields.node("partners"), "partners", file: file) { node throws(ScenarioError) in
            try partner(node, file: file)
        }
        let devices = try list(fields.required("devices", in: "the scenario"), "devices", file: file) { node throws(ScenarioError) in
            try device(node, file: file)
        }
        let stepsNode = try fields.required("steps", in: "the scenario")
        try fields.finish("the scenario")

        var context = StepParser(file: file, users: Set(users.map(\.id)), partners: Set(partners.map(\.id)),
                                 devices: Set(devices.map(\.name)))
        try context.checkUnique(users.map(\.id.rawValue), "user", line: fields.line)
        try context.checkUnique(partners.map(\.id.rawValue), "partner", line: fields.line)
        try context.checkUnique(devices.map(\.name), "device", line: fields.line)
        for device in devices where !context.users.contains(device.user) {
            throw ScenarioError("bad_scenario", "device \(device.name) belongs to user \(device.user), who is not in `users`",
                                file: file, line: fields.line)
        }
        let templates = try list(stepsNode, "steps", file: file) { node throws(ScenarioError) in node }
        var steps: [Step] = []
        for node in try RepeatExpansion.expand(templates, file: file) { steps.append(try context.step(node)) }
        return ScenarioDocument(name: name, description: description, seed: seed,
                                startMs: start ?? ScenarioDocument.defaultStartMs, brand: brand, users: users,
                                partners: partners, devices: devices, batchSize: batchSize, lenient: lenient,
                                steps: steps)
    }

    static func list<T>(_ node: Node?, _ what: String, file: String?,
                        _ item: (Node) throws(ScenarioError) -> T) throws(ScenarioError) -> [T] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            throw ScenarioError("bad_scenario", "`\(what)` must be a list (lines starting with `- `)", file: file,
                                line: node.mark?.line)
        }
        var items: [T] = []
        for element in sequence { items.append(try item(element)) }
        return items
    }

    static func id<T>(_ value: T?, _ text: String, _ what: String, file: String?, line: Int?) throws(ScenarioError) -> T {
        guard let value else {
            throw ScenarioError("bad_scenario",
                                "`\(text)` is not a valid \(what) id (1–64 of a-z 0-9 - _ ., starting with a letter or digit)",
                                file: file, line: line)
        }
        return value
    }

    /// An ISO 8601 time (`2027-01-15T08:00:00Z`) or ms since the Unix epoch.
    private static func startMs(_ node: Node, file: String?) throws(ScenarioError) -> UInt64 {
        let text = try YAMLValue.string(node, "start", file: file)
        if let ms = UInt64(text) { return ms }
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else {
            throw ScenarioError("bad_scenario", "`start` must be a time such as 2027-01-15T08:00:00Z, or ms since 1970",
                                file: file, line: node.mark?.line)
        }
        return UInt64(max(0, date.timeIntervalSince1970 * 1000))
    }

    private static func user(_ node: Node, file: String?) throws(ScenarioError) -> UserSpec {
        if case .scalar(let scalar) = node {
            return UserSpec(id: try id(UserID(rawValue: scalar.string), scalar.string, "user", file: file, line: node.mark?.line))
        }
        var fields = try YAMLFields(node, file: file, what: "a user")
        let text = try fields.requiredString("id", in: "a user")
        let spec = UserSpec(id: try id(UserID(rawValue: text), text, "user", file: file, line: fields.line),
                            name: try fields.string("name"))
        try fields.finish("a user")
        return spec
    }

    private static func partner(_ node: Node, file: String?) throws(ScenarioError) -> PartnerSpec {
        if case .scalar(let scalar) = node {
            return PartnerSpec(id: try id(PartnerID(rawValue: scalar.string), scalar.string, "partner", file: file,
                                          line: node.mark?.line))
        }
        var fields = try YAMLFields(node, file: file, what: "a partner")
        let text = try fields.requiredString("id", in: "a partner")
        let partnerID = try id(PartnerID(rawValue: text), text, "partner", file: file, line: fields.line)
        let name = try fields.string("name")
        let status = try fields.node("status").map { node throws(ScenarioError) in
            try YAMLValue.choice(node, "status", file: file, as: PartnershipStatus.self)
        }
        try fields.finish("a partner")
        return PartnerSpec(id: partnerID, name: name, status: status ?? .active)
    }

    static func device(_ node: Node, file: String?) throws(ScenarioError) -> DeviceSpec {
        var fields = try YAMLFields(node, file: file, what: "a device")
        let name = try fields.requiredString("name", in: "a device")
        let userText = try fields.requiredString("user", in: "a device")
        let offset = try fields.node("clock").map { node throws(ScenarioError) in
            try YAMLValue.duration(node, "clock", file: file)
        }
        try fields.finish("a device")
        guard !DeviceSpec.reservedNames.contains(name), !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ScenarioError("bad_scenario", "`\(name)` cannot name a device (letters, digits, - and _; not server, all, converged or mail)",
                                file: file, line: fields.line)
        }
        return DeviceSpec(name: name, user: try id(UserID(rawValue: userText), userText, "user", file: file, line: fields.line),
                          clockOffsetMs: offset ?? 0)
    }
}
