import Foundation
import SyncServer
import Replica
import Testing
import Wire

/// `ServerError.Code` and `ErrorFrame.Code` against the tables of Protocol/SERVER_API.md and
/// Protocol/SPEC.md: every code in a type is a row, and every row is a code, with the same status.
@Suite struct ServerErrorCodeTests {
    @Test("every server error code is in SERVER_API.md's error tables with its status, and nothing else is")
    func serverCodesMatchTheDocument() throws {
        let rows = try DocumentTables.rows(of: "SERVER_API.md", section: "## Errors")
        var documented: [String: Int] = [:]
        for row in rows where row.count == 3 {
            guard let status = Int(row[1]) else { continue }
            for code in DocumentTables.codes(in: row[0]) { documented[code] = status }
        }
        let typed = Dictionary(uniqueKeysWithValues: ServerError.Code.all.map { ($0.rawValue, $0.status) })
        #expect(typed.count == ServerError.Code.all.count, "a code is listed twice")
        #expect(documented == typed)
    }

    @Test("every error frame code the server sends is in SERVER_API.md's WebSocket table, and is a wire code")
    func webSocketCodesAreWireCodes() throws {
        let rows = try DocumentTables.rows(of: "SERVER_API.md", section: "## Errors")
        let documented = Set(rows.filter { $0.count == 2 }.flatMap { DocumentTables.codes(in: $0[0]) })
        let wire = Set(ErrorFrame.Code.all.map(\.rawValue))
        #expect(documented.contains("protocol_violation"))
        #expect(documented.subtracting(wire).isEmpty, "\(documented.subtracting(wire))")
    }

    @Test("ErrorFrame.Code holds exactly the codes of SPEC.md's error table")
    func frameCodesMatchTheSpec() throws {
        let rows = try DocumentTables.rows(of: "SPEC.md", section: "## Errors (codes)")
        let documented = Set(rows.flatMap { DocumentTables.codes(in: $0[0]) })
        #expect(documented == Set(ErrorFrame.Code.all.map(\.rawValue)))
        #expect(ErrorFrame.Code.all.count == documented.count, "a code is listed twice")
    }

    @Test("a code a newer peer sends decodes as it is")
    func unknownFrameCodeDecodes() throws {
        let frame = ErrorFrame(code: ErrorFrame.Code(rawValue: "from_the_future"), message: "new", retryable: true)
        let decoded = try FrameCodec.decode(FrameCodec.encode(.error(frame)))
        #expect(decoded == .error(frame))
    }

    @Test("a replica's refusal maps onto documented server codes")
    func replicaCodesMap() {
        #expect(ServerError.Code(.storage) == .storageError)
        #expect(ServerError.Code(.locked).status == 503)
        #expect(ServerError.Code(.unknownConversation) == .notFound)
        #expect(ServerError.Code(.idempotencyConflict).status == 422)
        #expect(ServerError.Code(.draftConflict) == .invalidArgument)
        #expect(ServerError.Code(ErrorFrame.Code.frameTooLarge).status == 413)
    }
}

/// The rows of the Markdown tables in one section of a Protocol/ document.
enum DocumentTables {
    static func rows(of document: String, section: String) throws -> [[String]] {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        let text = try String(contentsOf: url.appendingPathComponent("Protocol/\(document)"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0 == section }) else {
            Issue.record("no section \(section) in \(document)")
            return []
        }
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
        return lines[(start + 1)..<end].filter { $0.hasPrefix("| `") }.map { line in
            line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The codes in a table cell: each `code` in backticks, `frame_*` patterns left out.
    static func codes(in cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { index, part in
            index.isMultiple(of: 2) || part.hasSuffix("*") ? nil : String(part)
        }
    }
}
