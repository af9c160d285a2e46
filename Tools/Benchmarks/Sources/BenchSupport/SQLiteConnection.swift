import GRDBSQLite

/// A plain SQLite C-API connection: the yardstick every Outpost figure is divided by.
///
/// No GRDB, no Swift values on the row path: statements are prepared once, then bound, stepped
/// and reset; columns are read with `sqlite3_column_*` and folded into a checksum so that the
/// optimiser cannot drop the reads.
///
/// Not thread-safe; a benchmark uses it from one thread (`@unchecked Sendable` only so that the
/// benchmark's setup closure can hand it over).
public final class SQLiteConnection: @unchecked Sendable {
    let handle: OpaquePointer

    public init(path: String, readOnly: Bool = false) throws(BenchError) {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            if let db { sqlite3_close_v2(db) }
            throw BenchError("cannot open \(path): \(message)")
        }
        handle = db
        // Same settings as Replica.configuration(): WAL is in the file; synchronous NORMAL per connection.
        sqlite3_busy_timeout(db, 3000)
        registerMessageBody(db)
        try execute("PRAGMA synchronous = NORMAL")
    }

    deinit { sqlite3_close_v2(handle) }

    public func execute(_ sql: String) throws(BenchError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw BenchError("\(sql): \(message)")
        }
    }

    public func prepare(_ sql: String) throws(BenchError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
              let statement
        else { throw BenchError("prepare \(sql): \(lastError)") }
        return SQLiteStatement(statement, connection: self)
    }

    /// Every row of `sql` as text columns: for fixtures, checks and EXPLAIN output, not for timing.
    public func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws(BenchError) -> [[String]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var rows: [[String]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.text($0) ?? "NULL" })
        }
        return rows
    }

    public func int(_ sql: String, _ arguments: [SQLiteValue] = []) throws(BenchError) -> Int64 {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        guard try statement.step() else { throw BenchError("\(sql): no row") }
        return statement.int64(0)
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

public enum SQLiteValue: Sendable {
    case int(Int64)
    case text(String)
    case real(Double)
    case blob([UInt8])
    case null
}

/// `SQLITE_TRANSIENT`, which the C macro spells as a cast of -1.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

public final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: SQLiteConnection

    init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ values: [SQLiteValue]) throws(BenchError) {
        sqlite3_reset(handle)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let rc = switch value {
            case .int(let int): sqlite3_bind_int64(handle, position, int)
            case .text(let text): sqlite3_bind_text(handle, position, text, -1, transient)
            case .real(let real): sqlite3_bind_double(handle, position, real)
            case .blob(let bytes): bytes.withUnsafeBytes {
                sqlite3_bind_blob(handle, position, $0.baseAddress, Int32($0.count), transient)
            }
            case .null: sqlite3_bind_null(handle, position)
            }
            guard rc == SQLITE_OK else { throw BenchError("bind \(position): \(connection.lastError)") }
        }
    }

    /// Steps once: `true` for a row, `false` when done.
    @inline(__always)
    public func step() throws(BenchError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw BenchError("step: \(connection.lastError)")
        }
    }

    @inline(__always)
    public func reset() { sqlite3_reset(handle) }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    @inline(__always)
    public func int64(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }

    /// The current row's column as a value of its own storage class (for copying rows as they are).
    public func value(_ column: Int) -> SQLiteValue {
        let index = Int32(column)
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(text(column) ?? "")
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let pointer = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }

    public func text(_ column: Int) -> String? {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return nil }
        return String(cString: pointer)
    }

    /// Reads every column of the current row the cheapest way (integers as integers, text as a
    /// pointer and its length) and folds them into a number.
    @inline(__always)
    public func touchRow() -> Int {
        var sum = 0
        for column in 0..<sqlite3_column_count(handle) {
            if sqlite3_column_type(handle, column) == SQLITE_INTEGER {
                sum &+= Int(truncatingIfNeeded: sqlite3_column_int64(handle, column))
            } else if let text = sqlite3_column_text(handle, column) {
                sum &+= Int(sqlite3_column_bytes(handle, column)) &+ Int(text.pointee)
            }
        }
        return sum
    }

    /// Steps through every row, touching each; resets at the end. Returns the rows' checksum.
    @inline(__always)
    public func drain() throws(BenchError) -> Int {
        var sum = 0
        while try step() { sum &+= touchRow() }
        sqlite3_reset(handle)
        return sum
    }

    public func run() throws(BenchError) {
        while try step() {}
        sqlite3_reset(handle)
    }
}

public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
