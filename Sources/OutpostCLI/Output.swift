import Foundation
import InboxModel
import Replica

/// How the CLI writes: human text to stdout, JSON for scripts, errors to stderr.
enum Output {
    static func json(_ value: some Encodable) throws(CLIError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw CLIError("cannot encode JSON: \(error)", code: "internal")
        }
    }

    /// A line on stdout at once (unbuffered: a script waiting for it sees it).
    static func now(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `14:05` today, `Nov 26` this year, `2025-11-26` before.
    static func shortDate(_ milliseconds: UInt64, now: Date = Date()) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let calendar = Calendar.current
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        if calendar.isDate(date, inSameDayAs: now) {
            formatter.dateFormat = "HH:mm"
        } else if calendar.component(.year, from: date) == calendar.component(.year, from: now) {
            formatter.dateFormat = "MMM d"
        } else {
            formatter.dateFormat = "yyyy-MM-dd"
        }
        return formatter.string(from: date)
    }

    /// `2026-11-26 14:05`.
    static func longDate(_ milliseconds: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// Cuts `text` to `width` characters, ending in `…` when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }

    /// Prints rows as aligned columns; the last column takes what is left of the terminal width.
    static func table(_ rows: [[String]], header: [String]? = nil) {
        let all = (header.map { [$0] } ?? []) + rows
        guard let columns = all.first?.count else { return }
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() where index < columns - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let total = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
        let used = widths.dropLast().reduce(0, +) + 2 * (columns - 1)
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index == columns - 1 {
                    line += fit(cell, max(10, total - used))
                } else {
                    line += cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) + "  "
                }
            }
            print(String(line.reversed().drop(while: { $0 == " " }).reversed()))
        }
    }

    static func kindLabel(_ kind: ConversationKind) -> String {
        switch kind {
        case .direct: "direct"
        case .system: "system"
        case .inquiry: "inquiry"
        }
    }

    static func inbox(_ rows: [InboxRow], emptyMessage: String) {
        guard !rows.isEmpty else {
            print(emptyMessage)
            return
        }
        table(rows.map { row in
            [
                row.unread ? "●" : " ", row.id.description, kindLabel(row.kind), fit(row.partnerName, 22),
                fit(row.subject, 34) + (row.hasDraft ? " ✎" : ""), shortDate(row.lastActivity),
                row.snippet ?? row.preview,
            ]
        }, header: [" ", "ID", "KIND", "PARTNER", "SUBJECT", "DATE", row0Header(rows)])
    }

    private static func row0Header(_ rows: [InboxRow]) -> String {
        rows.contains { $0.snippet != nil } ? "MATCH" : "PREVIEW"
    }
}
