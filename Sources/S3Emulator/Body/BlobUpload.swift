import NIOCore
import S3EmulatorStorage

/// Streams bytes into a new blob: buffers up to ``batchSize`` in memory, writes each batch
/// to a temporary file on the I/O threads, then commits the blob and its metadata row in one
/// hop. Memory stays at one batch whatever the object size.
///
/// Every path out of an upload either commits it or calls ``abort()``; a blob that is never
/// committed is removed (or swept at the next start).
struct BlobUpload {
    static let batchSize = 1 << 20

    private let store: ObjectStore
    private var writer: BlobWriter?
    private var pending = ByteBuffer()

    init(store: ObjectStore) {
        self.store = store
    }

    /// Adds bytes; writes a batch to disk when enough have gathered.
    mutating func append(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        pending.writeBuffer(&buffer)
        if pending.readableBytes >= Self.batchSize {
            try await flush()
        }
    }

    private mutating func flush() async throws {
        let batch = pending
        pending = ByteBuffer()
        let existing = writer
        writer = try await store.io { [store] in
            let writer = try existing ?? store.blobs.makeWriter()
            try batch.withUnsafeReadableBytes { try writer.write($0) }
            return writer
        }
    }

    /// Writes what is left, commits the blob, and runs `commitMetadata` with the new blob id,
    /// all on one I/O thread hop. When `commitMetadata` throws, the blob is removed.
    func finish<T: Sendable>(_ commitMetadata: @escaping @Sendable (String) throws -> T) async throws -> T {
        let batch = pending
        let existing = writer
        return try await store.io { [store] in
            let writer = try existing ?? store.blobs.makeWriter()
            let blobID: String
            do {
                try batch.withUnsafeReadableBytes { try writer.write($0) }
                blobID = try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
            do {
                return try commitMetadata(blobID)
            } catch {
                store.blobs.remove(blobID)
                throw error
            }
        }
    }

    /// Discards the upload and its temporary file.
    func abort() async {
        guard let writer else { return }
        _ = try? await store.io { writer.abort() }
    }
}
