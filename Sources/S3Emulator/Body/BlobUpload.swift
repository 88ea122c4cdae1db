import NIOCore
import S3EmulatorStorage

/// Streams bytes into a new blob: gathers up to ``batchSize`` bytes (the received buffers
/// themselves, uncopied), then hashes each batch (``BodyDigests``) and writes it to a temporary
/// file on the I/O threads, in two lanes, each taking its batches in order, while the next
/// batches are received; finally commits the blob and its metadata row in one hop. Receiving
/// waits only when a lane is ``laneDepth`` batches behind, so a slow moment of the disk or of
/// the hashing does not stop the socket. Memory stays at a few batches whatever the object
/// size. Call ``finishHashing()`` before reading the digests.
///
/// A body of at most ``MetadataStore/inlineBlobLimit`` bytes never touches a file: ``finish(_:)``
/// hands its bytes to the metadata commit, which stores them with the row (an inline blob).
///
/// Every path out of an upload either commits it or calls ``abort()``; a blob that is never
/// committed is removed (or swept at the next start).
struct BlobUpload {
    static let batchSize = 1 << 20
    /// At most this many batches are in each lane (being hashed or written, or waiting to be).
    static let laneDepth = 3

    private let store: ObjectStore
    private let digests: BodyDigests
    /// Whether a small body may be stored inline.
    private let inline: Bool
    private var writer: BlobWriter?
    /// The batches being written, oldest first; each waits for the one before it and yields the
    /// writer once its bytes are in the file.
    private var writes: [Task<BlobWriter, any Error>] = []
    /// The batches being hashed, oldest first; each waits for the one before it.
    private var hashes: [Task<Void, any Error>] = []
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

    /// Adds bytes; hands a batch to the lanes when enough have gathered (after waiting for the
    /// oldest batch of a full lane).
    mutating func append(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
        if pendingBytes >= Self.batchSize {
            try await flush()
        }
    }

    private mutating func flush() async throws {
        while hashes.count >= Self.laneDepth {
            try await hashes.removeFirst().value
        }
        while writes.count >= Self.laneDepth {
            _ = try await writes.removeFirst().value
        }
        let batch = pending
        pending = []
        pendingBytes = 0
        let previousHash = hashes.last
        hashes.append(Task { [store, digests] in
            try await previousHash?.value
            try await store.io { digests.update(batch) }
        })
        let previousWrite = writes.last
        let existing = writer
        writer = nil
        writes.append(Task { [store] in
            let previous = try await previousWrite?.value
            return try await store.io {
                let writer = try previous ?? existing ?? store.blobs.makeWriter()
                try Self.write(batch, to: writer)
                return writer
            }
        })
    }

    /// Waits for the writes in flight, taking back the writer.
    private mutating func settle() async throws {
        guard let last = writes.last else { return }
        writes = []
        writer = try await last.value
    }

    /// Waits for the batches being hashed.
    private mutating func settleHashing() async throws {
        guard let last = hashes.last else { return }
        hashes = []
        try await last.value
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
    /// to be stored inline is given to `commitMetadata` as bytes instead, on the thread for
    /// small objects' commits (``ObjectStore/commitSmallObject(_:)``).
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
            return try await store.commitSmallObject { try commitMetadata(blob) }
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
        if let last = hashes.last {
            hashes = []
            _ = try? await last.value
        }
        if let last = writes.last {
            writes = []
            writer = try? await last.value
        }
        guard let writer else { return }
        self.writer = nil
        _ = try? await store.io { writer.abort() }
    }
}
