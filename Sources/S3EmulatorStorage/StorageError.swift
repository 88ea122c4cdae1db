#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the storage engine: SQLite, the file system, or data that does not read back.
///
/// Errors are values with a code; callers ask questions (``isNoSpace``, ``isNotFound``) rather than
/// matching messages. Adding a kind never breaks callers.
///
/// ```swift
/// do { try writer.write(chunk) } catch let error as StorageError where error.isNoSpace { … }
/// ```
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case sqlite(code: Int32, message: String)
        case io(errno: Int32, operation: String, path: String)
        case noSpace(path: String)
        case corrupt(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// SQLite answered `code` (a primary or extended result code) with `message`.
    public static func sqlite(code: Int32, message: String) -> StorageError {
        StorageError(.sqlite(code: code, message: message))
    }

    /// A system call failed. `ENOSPC` and `EDQUOT` become ``noSpace(path:)``.
    public static func io(errno: Int32, operation: String, path: String) -> StorageError {
        if errno == ENOSPC || errno == EDQUOT {
            return StorageError(.noSpace(path: path))
        }
        return StorageError(.io(errno: errno, operation: operation, path: path))
    }

    /// The file system (or the database) is full.
    public static func noSpace(path: String) -> StorageError {
        StorageError(.noSpace(path: path))
    }

    /// Stored data does not read back as written (bad schema version, unreadable row, bad blob id).
    public static func corrupt(_ reason: String) -> StorageError {
        StorageError(.corrupt(reason))
    }

    /// True when the disk (or the database) is full: the server answers 503 ServiceUnavailable
    /// naming the full disk instead of a generic internal error.
    public var isNoSpace: Bool {
        switch kind {
        case .noSpace:
            return true
        case .sqlite(let code, _):
            return code & 0xFF == SQLiteResultCode.full.rawValue
        case .io, .corrupt:
            return false
        }
    }

    /// True when a file the storage expected (a blob) does not exist.
    public var isNotFound: Bool {
        if case .io(let errno, _, _) = kind {
            return errno == ENOENT
        }
        return false
    }

    /// The `errno` of a failed system call, when this error is one.
    public var errno: Int32? {
        switch kind {
        case .io(let errno, _, _): return errno
        case .noSpace: return ENOSPC
        case .sqlite, .corrupt: return nil
        }
    }

    /// The SQLite result code, when this error came from SQLite.
    public var sqliteCode: Int32? {
        if case .sqlite(let code, _) = kind {
            return code
        }
        return nil
    }

    /// What failed, for logs.
    public var description: String {
        switch kind {
        case .sqlite(let code, let message):
            return "SQLite error \(code): \(message)"
        case .io(let errno, let operation, let path):
            return "\(operation)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .noSpace(let path):
            return "no space left on device writing \(path)"
        case .corrupt(let reason):
            return "storage is corrupt: \(reason)"
        }
    }
}
