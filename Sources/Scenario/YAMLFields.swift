import Foundation
import Yams

/// Reads one YAML mapping's fields by name, with the line of each for messages, and refuses keys
/// it was not asked about (a typo in a scenario file is an error, not a silent default).
struct YAMLFields {
    let file: String?
    let line: Int?
    private var values: [(key: String, node: Node)]
    private var used: Set<String> = []

    init(_ node: Node, file: String?, what: String) throws(ScenarioError) {
        self.file = file
        line = node.mark?.line
        guard case .mapping(let mapping) = node else {
            throw ScenarioError("bad_scenario", "\(what) must be a mapping (key: value lines)", file: file, line: line)
        }
        var values: [(String, Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw ScenarioError("bad_scenario", "a key in \(what) must be plain text", file: file, line: key.mark?.line)
            }
            if values.contains(where: { $0.0 == scalar.string }) {
                throw ScenarioError("bad_scenario", "\(what) has the key `\(scalar.string)` twice", file: file,
                                    line: key.mark?.line)
            }
            values.append((scalar.string, value))
        }
        self.values = values
    }

    var firstKey: String? { values.first?.key }
    var keys: [String] { values.map(\.key) }

    mutating func node(_ key: String) -> Node? {
        used.insert(key)
        return values.first { $0.key == key }?.node
    }

    mutating func required(_ key: String, in what: String) throws(ScenarioError) -> Node {
        guard let node = node(key) else {
            throw ScenarioError("bad_scenario", "\(what) needs `\(key)`", file: file, line: line)
        }
        return node
    }

    mutating func string(_ key: String) throws(ScenarioError) -> String? {
        guard let node = node(key) else { return nil }
        return try YAMLValue.string(node, key, file: file)
    }

    mutating func int(_ key: String) throws(ScenarioError) -> Int? {
        guard let node = node(key) else { return nil }
        return try YAMLValue.int(node, key, file: file)
    }

    mutating func bool(_ key: String) throws(ScenarioError) -> Bool? {
        guard let node = node(key) else { return nil }
        return try YAMLValue.bool(node, key, file: file)
    }

    mutating func requiredString(_ key: String, in what: String) throws(ScenarioError) -> String {
        try YAMLValue.string(required(key, in: what), key, file: file)
    }

    /// Fails on any key not read.
    func finish(_ what: String) throws(ScenarioError) {
        if let extra = values.first(where: { !used.contains($0.key) }) {
            let allowed = values.map(\.key).filter { used.contains($0) }
            throw ScenarioError("bad_scenario",
                                "unknown key `\(extra.key)` in \(what)" + (allowed.isEmpty ? "" : "; it takes \(allowed.joined(separator: ", "))"),
                                file: file, line: extra.node.mark?.line ?? line)
        }
    }
}

/// Scalars of a scenario file: text, numbers, booleans, durations, lists of names.
enum YAMLValue {
    static func string(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ScenarioError("bad_scenario", "`\(what)` must be text", file: file, line: node.mark?.line)
        }
        return scalar.string
    }

    static func int(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> Int {
        guard let value = Int(try string(node, what, file: file)) else {
            throw ScenarioError("bad_scenario", "`\(what)` must be a whole number", file: file, line: node.mark?.line)
        }
        return value
    }

    static func bool(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> Bool {
        switch try string(node, what, file: file) {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw ScenarioError("bad_scenario", "`\(what)` must be true or false", file: file, line: node.mark?.line)
        }
    }

    /// `500ms`, `30s`, `15m`, `2h`, `7d`, or a number of ms; a leading `-` for clock offsets.
    static func duration(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> Int64 {
        let text = try string(node, what, file: file)
        guard let value = DurationText.parse(text) else {
            throw ScenarioError("bad_scenario", "`\(what)` must be a duration such as 500ms, 30s, 15m, 2h or 7d, not `\(text)`",
                                file: file, line: node.mark?.line)
        }
        return value
    }

    /// One name or a list of names.
    static func names(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> [String] {
        if case .sequence(let sequence) = node {
            var names: [String] = []
            for item in sequence { names.append(try string(item, what, file: file)) }
            return names
        }
        return [try string(node, what, file: file)]
    }

    static func strings(_ node: Node, _ what: String, file: String?) throws(ScenarioError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw ScenarioError("bad_scenario", "`\(what)` must be a list", file: file, line: node.mark?.line)
        }
        var strings: [String] = []
        for item in sequence { strings.append(try string(item, what, file: file)) }
        return strings
    }

    /// A value of a closed set, e.g. a fault kind.
    static func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, file: String?,
                                                            as type: T.Type) throws(ScenarioError) -> T
    where T.RawValue == String {
        let text = try string(node, what, file: file)
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ScenarioError("bad_scenario", "`\(what)` must be one of \(allowed), not `\(text)`", file: file,
                                line: node.mark?.line)
        }
        return value
    }
}

/// Durations in scenario files.
enum DurationText {
    static let units: [(suffix: String, ms: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
                                                       ("d", 86_400_000)]

    /// The longest duration a scenario may name, either way: 1,000 years. Clocks add durations up,
    /// so anything longer could overflow them.
    static let maxMs: Int64 = 1_000 * 366 * 86_400_000

    /// The duration in milliseconds, or `nil` for anything that is not one or is over ``maxMs``.
    static func parse(_ text: String) -> Int64? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign: Int64 = 1
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        guard body.first?.isASCII == true, body.first?.isNumber == true else { return nil }
        if let plain = Int64(body) { return plain <= maxMs ? sign * plain : nil }
        for (suffix, ms) in units where body.hasSuffix(suffix) {
            if let number = Int64(body.dropLast(suffix.count)), number <= maxMs / ms { return sign * number * ms }
        }
        return nil
    }

    /// The shortest exact text: `7d`, `90s`, `-2d`, `1500ms`.
    static func text(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        for (suffix, unit) in units.reversed() where magnitude % UInt64(unit) == 0 && magnitude > 0 {
            return "\(sign)\(magnitude / UInt64(unit))\(suffix)"
        }
        return "\(sign)\(magnitude)ms"
    }
}
