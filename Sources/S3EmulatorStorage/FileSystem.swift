#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls the blob store makes, each retried on `EINTR` and failing with a
/// ``StorageError`` that names the operation and the path.
enum FileSystem {
    /// Creates `path` with mode 0700; `false` when it already existed.
    @discardableResult
    static func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o700) == 0 {
            return true
        }
        let code = errno
        guard code == EEXIST else {
            throw StorageError.io(errno: code, operation: "mkdir", path: path)
        }
        return false
    }

    /// Creates `path` and any missing parents.
    static func makeDirectories(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            partial += "/" + component
            try makeDirectory(partial)
        }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0) throws -> Int32 {
        while true {
            let descriptor = Self.systemOpen(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 {
                return descriptor
            }
            let code = errno
            if code != EINTR {
                throw StorageError.io(errno: code, operation: "open", path: path)
            }
        }
    }

    /// Opens an existing file for reading.
    static func openForReading(_ path: String) throws -> Int32 {
        try open(path, flags: O_RDONLY)
    }

    /// Creates a new file for writing, mode 0600; fails with `EEXIST` when it exists.
    static func createExclusive(_ path: String) throws -> Int32 {
        try open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
    }

    /// `O_DIRECT` on Linux, where the Glibc module does not export it (its value depends on the
    /// architecture); `nil` where this code does not know it.
    static let directIOFlag: Int32? = {
        #if os(Linux) && (arch(x86_64) || arch(i386))
        0o40000
        #elseif os(Linux) && arch(arm64)
        0o200000
        #else
        nil
        #endif
    }()

    /// A buffer for direct I/O: ``BlobWriter/directChunkSize`` bytes at an address aligned to
    /// ``BlobWriter/directAlignment``, or `nil` when the allocation fails. Release it with `free`.
    static func allocateDirectIOBuffer() -> UnsafeMutableRawBufferPointer? {
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, BlobWriter.directAlignment, BlobWriter.directChunkSize) == 0, let pointer else {
            return nil
        }
        return UnsafeMutableRawBufferPointer(start: pointer, count: BlobWriter.directChunkSize)
    }

    /// Turns direct I/O (`O_DIRECT`: reads and writes go between the caller's buffer and the disk,
    /// not through the page cache) on for an open file; `false` where the system or the file
    /// system has none (tmpfs before Linux 6.6, some FUSE file systems refuse the flag).
    static func startDirectIO(_ descriptor: Int32) -> Bool {
        guard let directIOFlag else { return false }
        let flags = fcntl(descriptor, F_GETFL)
        return flags >= 0 && fcntl(descriptor, F_SETFL, flags | directIOFlag) == 0
    }

    /// Turns direct I/O off for an open file (so that unaligned writes are allowed again).
    static func stopDirectIO(_ descriptor: Int32, path: String) throws {
        guard let directIOFlag else { return }
        let flags = fcntl(descriptor, F_GETFL)
        if flags < 0 || fcntl(descriptor, F_SETFL, flags & ~directIOFlag) < 0 {
            throw StorageError.io(errno: errno, operation: "fcntl(F_SETFL)", path: path)
        }
    }

    /// Writes all of `bytes` at `offset` (`pwrite`), looping on short writes and `EINTR`.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else {
                return
            }
            let written = pwrite(descriptor, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if written < 0 {
                let code = errno
                if code == EINTR {
                    continue
                }
                throw StorageError.io(errno: code, operation: "pwrite", path: path)
            }
            done += written
        }
    }

    /// Reads at `offset` until `buffer` is full or the file ends; returns the bytes read.
    static func readAll(_ descriptor: Int32, offset: Int64, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var total = 0
        while total < buffer.count {
            guard let base = buffer.baseAddress else {
                return 0
            }
            let count = pread(descriptor, base + total, buffer.count - total, off_t(offset) + off_t(total))
            if count < 0 {
                let code = errno
                if code == EINTR {
                    continue
                }
                throw StorageError.io(errno: code, operation: "pread", path: path)
            }
            if count == 0 {
                break
            }
            total += count
        }
        return total
    }

    /// One `pread` at `offset` (retried on `EINTR`): the bytes read, fewer than asked only at the
    /// end of the file (for a regular file). A direct-I/O read must not go on from an unaligned
    /// short count the way ``readAll(_:offset:into:path:)`` does.
    static func readOnce(_ descriptor: Int32, offset: Int64, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 {
                return count
            }
            let code = errno
            if code != EINTR {
                throw StorageError.io(errno: code, operation: "pread", path: path)
            }
        }
    }

    /// The whole content of a (small) file.
    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        let size = Int(try self.size(descriptor, path: path))
        var bytes = [UInt8](repeating: 0, count: size)
        let count = try bytes.withUnsafeMutableBytes { try readAll(descriptor, offset: 0, into: $0, path: path) }
        bytes.removeLast(size - count)
        return bytes
    }

    static func sync(_ descriptor: Int32, path: String) throws {
        while fsync(descriptor) != 0 {
            let code = errno
            if code != EINTR {
                throw StorageError.io(errno: code, operation: "fsync", path: path)
            }
        }
    }

    /// Starts writing a range of a file's dirty pages to disk without waiting for it
    /// (`sync_file_range(SYNC_FILE_RANGE_WRITE)` on Linux), so that the `fsync` at the end of a
    /// large write finds little left to do. Best effort: a failure only leaves the work to `fsync`.
    static func startWriteback(_ descriptor: Int32, offset: Int64, length: Int64) {
        #if os(Linux)
        _ = syncFileRange?(descriptor, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */)
        #endif
    }

    #if os(Linux)
    /// `sync_file_range(2)`, a GNU extension the Glibc module does not export: looked up once.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()
    #endif

    /// Makes the entries of a directory (a rename, a new file) durable.
    static func syncDirectory(_ path: String) throws {
        let descriptor = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        try sync(descriptor, path: path)
    }

    /// Closes `descriptor`, reporting the errors `close` can carry (deferred write errors).
    static func close(_ descriptor: Int32, path: String) throws {
        if systemClose(descriptor) != 0 {
            let code = errno
            // After EINTR the descriptor is already closed on Linux; retrying could close another file.
            if code != EINTR {
                throw StorageError.io(errno: code, operation: "close", path: path)
            }
        }
    }

    /// Closes `descriptor`, ignoring errors (clean-up paths).
    static func close(_ descriptor: Int32) {
        _ = systemClose(descriptor)
    }

    static func size(_ descriptor: Int32, path: String) throws -> Int64 {
        var info = stat()
        if fstat(descriptor, &info) != 0 {
            throw StorageError.io(errno: errno, operation: "fstat", path: path)
        }
        return Int64(info.st_size)
    }

    static func rename(_ source: String, to destination: String) throws {
        if systemRename(source, destination) != 0 {
            throw StorageError.io(errno: errno, operation: "rename", path: "\(source) -> \(destination)")
        }
    }

    /// Removes a file; `false` when it did not exist.
    @discardableResult
    static func removeFile(_ path: String) throws -> Bool {
        if unlink(path) == 0 {
            return true
        }
        let code = errno
        guard code == ENOENT else {
            throw StorageError.io(errno: code, operation: "unlink", path: path)
        }
        return false
    }

    /// The kinds of directory entries `listDirectory` reports.
    enum EntryKind: Equatable {
        case file, directory, other
    }

    /// The entries of a directory, without `.` and `..`.
    static func listDirectory(_ path: String) throws -> [(name: String, kind: EntryKind)] {
        guard let directory = opendir(path) else {
            throw StorageError.io(errno: errno, operation: "opendir", path: path)
        }
        defer { closedir(directory) }
        var entries: [(name: String, kind: EntryKind)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." {
                continue
            }
            let kind: EntryKind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_UNKNOWN): kind = try kindByStat(path + "/" + name)
            default: kind = .other
            }
            entries.append((name, kind))
        }
        return entries
    }

    private static func kindByStat(_ path: String) throws -> EntryKind {
        var info = stat()
        if lstat(path, &info) != 0 {
            throw StorageError.io(errno: errno, operation: "lstat", path: path)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    // The C functions under names that do not collide with the wrappers above.
    private static func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags, mode)
        #elseif canImport(Musl)
        Musl.open(path, flags, mode)
        #else
        Darwin.open(path, flags, mode)
        #endif
    }

    private static func systemClose(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #elseif canImport(Musl)
        Musl.close(descriptor)
        #else
        Darwin.close(descriptor)
        #endif
    }

    private static func systemRename(_ source: String, _ destination: String) -> Int32 {
        #if canImport(Glibc)
        Glibc.rename(source, destination)
        #elseif canImport(Musl)
        Musl.rename(source, destination)
        #else
        Darwin.rename(source, destination)
        #endif
    }
}
