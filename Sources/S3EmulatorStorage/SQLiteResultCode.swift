import CSQLite

/// A SQLite result code, named so that code can `switch` over it.
///
/// Extended codes (for example `SQLITE_IOERR_WRITE`) keep their full value in ``rawValue``;
/// ``primary`` strips the extension for matching.
struct SQLiteResultCode: RawRepresentable, Equatable, Sendable, CustomStringConvertible {
    var rawValue: Int32

    init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The primary result code (the low 8 bits).
    var primary: SQLiteResultCode { SQLiteResultCode(rawValue: rawValue & 0xFF) }

    static let ok = SQLiteResultCode(rawValue: SQLITE_OK)
    static let error = SQLiteResultCode(rawValue: SQLITE_ERROR)
    static let busy = SQLiteResultCode(rawValue: SQLITE_BUSY)
    static let locked = SQLiteResultCode(rawValue: SQLITE_LOCKED)
    static let ioError = SQLiteResultCode(rawValue: SQLITE_IOERR)
    static let corrupt = SQLiteResultCode(rawValue: SQLITE_CORRUPT)
    static let full = SQLiteResultCode(rawValue: SQLITE_FULL)
    static let constraint = SQLiteResultCode(rawValue: SQLITE_CONSTRAINT)
    static let notADatabase = SQLiteResultCode(rawValue: SQLITE_NOTADB)
    static let row = SQLiteResultCode(rawValue: SQLITE_ROW)
    static let done = SQLiteResultCode(rawValue: SQLITE_DONE)

    var description: String { String(cString: sqlite3_errstr(rawValue)) }
}
