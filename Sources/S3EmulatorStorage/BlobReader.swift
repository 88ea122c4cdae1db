import Synchronization

/// Reads one blob with `pread`, at any offset. Close it when done; a reader dropped without
/// ``close()`` closes its file.
public final class BlobReader: Sendable {
    /// The blob's size in bytes, taken when it was opened.
    public let size: Int64
    private let path: String
    /// The open file, or -1 once closed.
    private let descriptor: Mutex<Int32>

    init(path: String) throws {
        let descriptor = try FileSystem.openForReading(path)
        do {
            self.size = try FileSystem.size(descriptor, path: path)
        } catch {
            FileSystem.close(descriptor)
            throw error
        }
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit {
        close()
    }

    /// Reads from `offset` into `buffer` until it is full or the blob ends; returns the bytes
    /// read (0 at the end).
    public func read(offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try descriptor.withLock { descriptor in
            guard descriptor >= 0 else {
                throw StorageError.corrupt("read of a closed blob reader (\(path))")
            }
            return try FileSystem.readAll(descriptor, offset: offset, into: buffer, path: path)
        }
    }

    /// Closes the file. Safe to call twice.
    public func close() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 {
                FileSystem.close(descriptor)
                descriptor = -1
            }
        }
    }
}
