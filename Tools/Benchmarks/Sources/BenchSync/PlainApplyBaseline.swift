import BenchSupport
import Foundation
import GRDBSQLite

/// The yardstick of the first-sync benchmark: the rows a first sync left in a device replica,
/// written again through the plain SQLite C API into an empty file with the same schema (tables,
/// indexes, the FTS5 tables and their trigger), in transactions of `batch` rows, with the same
/// WAL and `synchronous = NORMAL` settings.
///
/// So it costs what SQLite alone must do to store the same state: every journal row, message, FTS
/// entry, summary and index entry. What Outpost spends beyond it — the server's reads, encoding,
/// zlib, the socket, decoding, validation and the merge rules — is the ratio.
struct PlainApplyBaseline {
    /// One table's statement and its rows, read before the clock starts.
    struct TableRows {
        var insert: String
        var rows: [[SQLiteValue]]
    }

    let schema: [String]
    let tables: [TableRows]

    /// Reads the schema and every row of `source`.
    init(source: String) throws(BenchError) {
        let db = try SQLiteConnection(path: source, readOnly: true)
        let entries = try db.rows("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        let virtualTables = entries.filter { $0[0] == "table" && $0[2].hasPrefix("CREATE VIRTUAL TABLE") }
            .map { $0[1] }
        let shadowSuffixes = ["_data", "_idx", "_content", "_docsize", "_config"]
        func isShadow(_ name: String) -> Bool {
            virtualTables.contains { table in shadowSuffixes.contains { name == table + $0 } }
        }
        let kept = entries.filter { !$0[1].hasPrefix("sqlite_") && !isShadow($0[1]) }
        // Tables first, then indexes and triggers, so that creation never meets a missing table.
        schema = kept.filter { $0[0] == "table" }.map { $0[2] } + kept.filter { $0[0] != "table" }.map { $0[2] }

        var tables: [TableRows] = []
        for entry in kept where entry[0] == "table" {
            let name = entry[1], sql = entry[2]
            let isVirtual = sql.hasPrefix("CREATE VIRTUAL TABLE")
            let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(name)]).map { $0[0] }
            func quoted(_ names: [String]) -> String { names.map { "\"\($0)\"" }.joined(separator: ", ") }
            let selected = (isVirtual ? ["rowid"] : []) + columns
            let list = quoted(selected)
            var source = "SELECT \(list) FROM \"\(name)\""
            if isVirtual, let content = Self.option("content", in: sql) {
                // An external-content FTS table over a table is filled by that table's trigger; over
                // a view (messages, schema v8) the replica fills it itself, so the baseline does too.
                guard kept.contains(where: { $0[0] == "view" && $0[1] == content }) else { continue }
                source = "SELECT \(quoted([Self.option("content_rowid", in: sql) ?? "rowid"] + columns)) FROM \"\(content)\""
            }
            let statement = try db.prepare(source)
            var rows: [[SQLiteValue]] = []
            while try statement.step() {
                rows.append((0..<selected.count).map { statement.value($0) })
            }
            let marks = Array(repeating: "?", count: selected.count).joined(separator: ", ")
            tables.append(TableRows(insert: "INSERT INTO \"\(name)\" (\(list)) VALUES (\(marks))", rows: rows))
        }
        self.tables = tables
    }

    /// The value of an FTS5 option (`content = 'messages'`) in a CREATE VIRTUAL TABLE statement.
    static func option(_ name: String, in sql: String) -> String? {
        guard let range = sql.range(of: "\(name) = '") else { return nil }
        let rest = sql[range.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    var rowCount: Int { tables.reduce(0) { $0 + $1.rows.count } }

    /// Creates `target` with the schema and writes every row; returns the seconds the writes took
    /// (schema creation excluded).
    func run(target: String, batch: Int) throws(BenchError) -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
        var handle: OpaquePointer?
        guard sqlite3_open_v2(target, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK,
              let handle
        else { throw BenchError("cannot create \(target)") }
        sqlite3_close_v2(handle)
        let db = try SQLiteConnection(path: target)
        try db.execute("PRAGMA journal_mode = WAL")
        for sql in schema { try db.execute(sql) }

        let start = ContinuousClock.now
        for table in tables {
            let insert = try db.prepare(table.insert)
            var index = 0
            while index < table.rows.count {
                try db.execute("BEGIN IMMEDIATE")
                for row in table.rows[index..<min(index + batch, table.rows.count)] {
                    try insert.bind(row)
                    try insert.run()
                }
                try db.execute("COMMIT")
                index += batch
            }
        }
        return (ContinuousClock.now - start).seconds
    }
}
