import NIOCore
import S3EmulatorStorage

/// Streams bytes into a new blob: gathers up to ``batchSize`` bytes (the received buffers
/// themselves, uncopied), then hashes each batch (``BodyDigests``) and writes it to a temporary
/// file on the I/O threads, in two lanes (``UploadLane``), each taking its batches in order,
/// while the next batches are received; finally commits the blob and its metadata row in one
/// hop. Receiving waits only when a lane is ``laneDepth`` batches behind, so a slow moment of
/// the disk or of the hashing does not stop the socket. Memory stays at a few batches whatever
/// the object size. Call ``finishHashing()`` before reading the digests.
///
/// An object's body of at most ``MetadataStore/inlineBlobLimit`` bytes never touches a file:
/// ``finish(_:precondition:)`` commits its bytes with the object's row (an inline blob). A
/// multipart part is always a file (``finish(_:)``).
///
/// Every path out of an upload either commits it or calls ``abort()``; a blob that is never
/// committed is removed (or swept at the next start).
struct BlobUpload {
    /// Larger batches cost the lanes less per byte, but an upload holds up to a lane's depth
    /// plus one batches, and concurrent uploads (a multipart upload's parts) multiply that: with
    /// 4 MiB batches, six 16 MiB parts at once took a debug server from 84 to 117 MiB.
    static let batchSize = 1 << 20
    /// At most this many batches are in each lane (being hashed or written, or waiting to be).
    static let laneDepth = 3

    private let store: ObjectStore
    private let digests: BodyDigests
    /// The lanes, from the first full batch on; a body smaller than a batch never needs them.
    private var lanes: (hashing: UploadLane<Void>, writing: UploadLane<BlobWriter?>)?
    /// The blob file, once the writing lane has settled (or for the last batch).
    private var writer: BlobWriter?
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    /// Whether `pending` has been hashed already (by ``finishHashing()``).
    private var pendingHashed = false

    /// An upload into `store` whose bytes update `digests`.
    init(store: ObjectStore, digests: BodyDigests) {
        self.store = store
        self.digests = digests
    }

    /// Adds bytes; hands a batch to the lanes when enough have gathered (after waiting for room
    /// in a full lane).
    mutating func append(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
        if pendingBytes >= Self.batchSize {
            try await flush()
        }
    }

    private mutating func flush() async throws {
        let lanes = self.lanes ?? (
            UploadLane(store: store, depth: Self.laneDepth, context: ()),
            UploadLane(store: store, depth: Self.laneDepth, context: nil)
        )
        self.lanes = lanes
        let batch = pending
        pending = []
        pendingBytes = 0
        try await lanes.hashing.enqueue { [digests] _ in digests.update(batch) }
        try await lanes.writing.enqueue { [store] writer in
            let file = try writer ?? store.blobs.makeWriter()
            writer = file
            try Self.write(batch, to: file)
        }
    }

    /// Waits for the writes in flight, taking the blob file from the writing lane (also when a
    /// write threw, so that ``abort()`` removes it).
    private mutating func settle() async throws {
        guard let writing = lanes?.writing else { return }
        defer {
            writer = writing.context
            lanes = nil
        }
        try await writing.wait()
    }

    /// Hashes every byte appended so far (the last, partial batch here, without a hop); the
    /// digests are complete when it returns. Call after the last ``append(_:)``; the `finish`
    /// methods call it as well, and a second call does nothing.
    mutating func finishHashing() async throws {
        try await lanes?.hashing.wait()
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

    /// Writes what is left and commits the object `record` (whose `blobID` is set here) with
    /// its bytes; returns the new version's `x-amz-version-id`. A body small enough is stored
    /// inline, its commit queued for the metadata writer's next group commit
    /// (``ObjectStore/commitInline(_:bytes:precondition:)``); a larger one is a blob file
    /// (``finish(_:)``).
    mutating func finish(_ record: ObjectRecord, precondition: WritePrecondition) async throws -> String? {
        try await finishLanes()
        guard writer == nil, pendingBytes <= MetadataStore.inlineBlobLimit else {
            return try await finish { [store] blobID in
                var record = record
                record.blobID = blobID
                return try store.commit(record, precondition: precondition)
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pendingBytes)
        for buffer in pending {
            buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
        }
        pending = []
        pendingBytes = 0
        var record = record
        record.blobID = BlobID.randomInline()
        return try await store.commitInline(record, bytes: bytes, precondition: precondition)
    }

    /// Writes what is left to a blob file, commits it, and runs `commitMetadata` with its id, all
    /// on one I/O thread hop. When `commitMetadata` throws, the blob is removed.
    mutating func finish<T: Sendable>(_ commitMetadata: @escaping @Sendable (String) throws -> T) async throws -> T {
        try await finishLanes()
        let batch = pending
        let existing = writer
        pending = []
        pendingBytes = 0
        writer = nil
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
                return try commitMetadata(blobID)
            } catch {
                store.blobs.remove(blobID)
                throw error
            }
        }
    }

    /// Finishes hashing and writing what the lanes hold, or aborts the upload.
    private mutating func finishLanes() async throws {
        do {
            try await finishHashing()
            try await settle()
        } catch {
            await abort()
            throw error
        }
    }

    /// Discards the upload and its temporary file (after any write or hashing in flight has ended).
    mutating func abort() async {
        if let lanes {
            try? await lanes.hashing.wait()
            try? await settle()
        }
        guard let writer else { return }
        self.writer = nil
        _ = try? await store.io { writer.abort() }
    }
}
