import CSQLite

/// One SQLite database connection with a cache of prepared statements.
///
/// Not thread-safe by itself: the connection is opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`) and every use happens while a `Mutex` around it is held, so it is used by
/// one thread at a time, possibly a different one each time (which multi-thread mode allows).
final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// The path given at open, for error messages.
    let path: String

    /// Opens (creating if needed) the database at `path`; `":memory:"` opens a private in-memory database.
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard let db else {
            // SQLite could not even allocate the connection.
            throw StorageError.sqlite(code: SQLITE_NOMEM, message: "out of memory (opening \(path))")
        }
        guard code == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_close_v2(db)
            throw StorageError.sqlite(code: code, message: "\(message) (opening \(path))")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()  // finalizes every cached statement before the close
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows (schema, pragmas, transaction control).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? SQLiteResultCode(rawValue: code).description
            sqlite3_free(message)
            throw StorageError.sqlite(code: code, message: "\(text) (in \(sql))")
        }
    }

    /// Runs `body` with the cached prepared statement for `sql` (prepared once, with
    /// `SQLITE_PREPARE_PERSISTENT`), and resets it afterwards so that no read transaction stays open.
    func withStatement<Result>(_ sql: String, _ body: (SQLiteStatement) throws -> Result) throws -> Result {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        return try body(statement)
    }

    /// The first column of the first row of `sql`, as text (for pragmas).
    func scalarString(_ sql: String) throws -> String? {
        try withStatement(sql) { statement in
            try statement.step() ? statement.optionalString(0) : nil
        }
    }

    /// The first column of every row of `sql`, as text, with `?1` bound to `parameter` when one is given.
    func strings(_ sql: String, binding parameter: String? = nil) throws -> [String] {
        try withStatement(sql) { statement in
            if let parameter {
                try statement.bind(1, text: parameter)
            }
            var values: [String] = []
            while try statement.step() {
                values.append(statement.string(0))
            }
            return values
        }
    }

    /// The first column of the first row of `sql`, as an integer (for pragmas).
    func scalarInt(_ sql: String) throws -> Int64? {
        try withStatement(sql) { statement in
            try statement.step() ? statement.int64(0) : nil
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// `immediate` takes the write lock at `BEGIN`, so checks made inside the body (preconditions)
    /// still hold at `COMMIT`.
    func transaction<Result>(immediate: Bool, _ body: () throws -> Result) throws -> Result {
        try runCached(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        let result: Result
        do {
            result = try body()
        } catch {
            try? runCached("ROLLBACK")
            throw error
        }
        do {
            try runCached("COMMIT")
        } catch {
            try? runCached("ROLLBACK")
            throw error
        }
        return result
    }

    /// Runs one statement that returns no rows from the statement cache (transaction control
    /// run many times a second: no parsing each time, as ``execute(_:)`` does).
    func runCached(_ sql: String) throws {
        try withStatement(sql) { try $0.run() }
    }

    /// `true` between `BEGIN` and the end of the transaction (SQLite's autocommit mode is off).
    var isInTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int {
        Int(sqlite3_changes(handle))
    }

    private func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] {
            return statement
        }
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK, let pointer else {
            throw StorageError.sqlite(code: code, message: "\(String(cString: sqlite3_errmsg(handle))) (preparing \(sql))")
        }
        let statement = SQLiteStatement(handle: pointer, sql: sql)
        statements[sql] = statement
        return statement
    }
}
