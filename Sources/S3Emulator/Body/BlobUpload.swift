import NIOCore
import S3EmulatorStorage

/// Streams bytes into a new blob: gathers up to ``batchSize`` bytes (the received buffers
/// themselves, uncopied), then hashes each batch (``BodyDigests``) and writes it to a temporary
/// file on the I/O threads, in two lanes, while the next batch is received; finally commits the
/// blob and its metadata row in one hop. Memory stays at about three batches whatever the object
/// size. Call ``finishHashing()`` before reading the digests.
///
/// A body of at most ``MetadataStore/inlineBlobLimit`` bytes never touches a file: ``finish(_:)``
/// hands its bytes to the metadata commit, which stores them with the row (an inline blob).
///
/// Every path out of an upload either commits it or calls ``abort()``; a blob that is never
/// committed is removed (or swept at the next start).
struct BlobUpload {
    static let batchSize = 1 << 20

    private let store: ObjectStore
    private let digests: BodyDigests
    /// Whether a small body may be stored inline.
    private let inline: Bool
    private var writer: BlobWriter?
    /// The batch being written, if any: it yields the writer once its bytes are in the file.
    private var inFlight: Task<BlobWriter, any Error>?
    /// The batch being hashed, if any.
    private var hashing: Task<Void, any Error>?
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    /// Whether `pending` has been hashed already (by ``finishHashing()``).
    private var pendingHashed = false

    /// An upload into `store` whose bytes update `digests`; `inline: false` always writes a file
    /// (a multipart part must be one).
    init(store: ObjectStore, digests: BodyDigests, inline: Bool = true) {
        self.store = store
        self.digests = digests
        self.inline = inline
    }

    /// Adds bytes; starts writing a batch when enough have gathered (after the previous batch's
    /// write has finished, so at most one is in flight).
    mutating func append(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
        if pendingBytes >= Self.batchSize {
            try await flush()
        }
    }

    private mutating func flush() async throws {
        try await settle()
        try await settleHashing()
        let batch = pending
        pending = []
        pendingBytes = 0
        hashing = Task { [store, digests] in
            try await store.io { digests.update(batch) }
        }
        let existing = writer
        writer = nil
        inFlight = Task { [store] in
            try await store.io {
                let writer = try existing ?? store.blobs.makeWriter()
                try Self.write(batch, to: writer)
                return writer
            }
        }
    }

    /// Waits for the write in flight, taking back its writer.
    private mutating func settle() async throws {
        guard let inFlight else { return }
        self.inFlight = nil
        writer = try await inFlight.value
    }

    /// Waits for the batch being hashed.
    private mutating func settleHashing() async throws {
        guard let hashing else { return }
        self.hashing = nil
        try await hashing.value
    }

    /// Hashes every byte appended so far (the last, partial batch here, without a hop); the
    /// digests are complete when it returns. Call once, after the last ``append(_:)``.
    mutating func finishHashing() async throws {
        try await settleHashing()
        if !pendingHashed {
            digests.update(pending)
            pendingHashed = true
        }
    }

    private static func write(_ batch: [ByteBuffer], to writer: BlobWriter) throws {
        for buffer in batch {
            try buffer.withUnsafeReadableBytes { try writer.write($0) }
        }
    }

    /// Where the bytes went: a new blob id, and for an inline blob its bytes, which the
    /// metadata commit stores with the row.
    struct Blob: Sendable {
        let id: String
        let inlineBytes: [UInt8]?
    }

    /// Writes what is left, commits the blob, and runs `commitMetadata` with the new blob, all on
    /// one I/O thread hop. When `commitMetadata` throws, the blob is removed. A body small enough
    /// to be stored inline is given to `commitMetadata` as bytes instead.
    mutating func finish<T: Sendable>(_ commitMetadata: @escaping @Sendable (Blob) throws -> T) async throws -> T {
        try await finishHashing()
        try await settle()
        let batch = pending
        let batchBytes = pendingBytes
        let existing = writer
        pending = []
        pendingBytes = 0
        writer = nil
        if inline, existing == nil, batchBytes <= MetadataStore.inlineBlobLimit {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(batchBytes)
            for buffer in batch {
                buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
            }
            let blob = Blob(id: BlobID.randomInline(), inlineBytes: bytes)
            return try await store.io { try commitMetadata(blob) }
        }
        return try await store.io { [store] in
            let writer = try existing ?? store.blobs.makeWriter()
            let blobID: String
            do {
                try Self.write(batch, to: writer)
                blobID = try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
            do {
                return try commitMetadata(Blob(id: blobID, inlineBytes: nil))
            } catch {
                store.blobs.remove(blobID)
                throw error
            }
        }
    }

    /// Discards the upload and its temporary file (after any write or hashing in flight has ended).
    mutating func abort() async {
        if let hashing {
            self.hashing = nil
            _ = try? await hashing.value
        }
        if let inFlight {
            self.inFlight = nil
            writer = try? await inFlight.value
        }
        guard let writer else { return }
        self.writer = nil
        _ = try? await store.io { writer.abort() }
    }
}
