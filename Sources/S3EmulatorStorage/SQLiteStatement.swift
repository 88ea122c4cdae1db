import CSQLite

/// A prepared statement of one ``SQLiteConnection``. Not thread-safe: it is used only while its
/// connection is held (inside the connection's mutex).
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The SQL text, for error messages.
    let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the bind call returns. The C macro
    /// casts -1 to a destructor pointer, which Swift cannot import.
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }

    // MARK: Binding (1-based parameter indexes)

    func bind(_ index: Int32, text: String) throws {
        var text = text
        let code = text.withUTF8 { utf8 -> Int32 in
            // A nil pointer would bind NULL, so the empty string binds a static "".
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
            }
        }
        try check(code)
    }

    func bind(_ index: Int32, text: String?) throws {
        if let text {
            try bind(index, text: text)
        } else {
            try check(sqlite3_bind_null(handle, index))
        }
    }

    /// Binds raw bytes as a BLOB, so that SQLite compares them with `memcmp` (S3's key order).
    func bind(_ index: Int32, bytes: [UInt8]) throws {
        let code = bytes.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return sqlite3_bind_blob(handle, index, base, Int32(raw.count), Self.transient)
        }
        try check(code)
    }

    /// Binds a string's UTF-8 bytes as a BLOB (see ``bind(_:bytes:)``).
    func bind(_ index: Int32, utf8Blob text: String) throws {
        var text = text
        let code = text.withUTF8 { utf8 -> Int32 in
            guard let base = utf8.baseAddress, utf8.count > 0 else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return sqlite3_bind_blob(handle, index, base, Int32(utf8.count), Self.transient)
        }
        try check(code)
    }

    func bind(_ index: Int32, int64 value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, double value: Double) throws {
        try check(sqlite3_bind_double(handle, index, value))
    }

    // MARK: Stepping

    /// Advances to the next row: `true` when a row is available, `false` when the statement is done.
    func step() throws -> Bool {
        let code = SQLiteResultCode(rawValue: sqlite3_step(handle))
        switch code.primary {
        case .row:
            return true
        case .done:
            return false
        default:
            throw error(code)
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
    }

    /// Resets the statement for reuse, ending its read transaction, and clears its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns (0-based)

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// The column's bytes as a string (TEXT or BLOB column; invalid UTF-8 is repaired).
    func string(_ column: Int32) -> String {
        withBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    func optionalString(_ column: Int32) -> String? {
        isNull(column) ? nil : string(column)
    }

    /// Calls `body` with the column's bytes, valid only during the call.
    func withBytes<Result>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        // sqlite3_column_blob first, then sqlite3_column_bytes: the order SQLite documents.
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    // MARK: Errors

    private func check(_ code: Int32) throws {
        if code != SQLITE_OK {
            throw error(SQLiteResultCode(rawValue: code))
        }
    }

    private func error(_ code: SQLiteResultCode) -> StorageError {
        let message = sqlite3_db_handle(handle).map { String(cString: sqlite3_errmsg($0)) } ?? code.description
        return .sqlite(code: code.rawValue, message: "\(message) (in \(sql))")
    }
}
