import Foundation
import Synchronization

/// The metadata of buckets and objects, in SQLite.
///
/// Calls block (the server runs them on its own thread pool) and are thread-safe. A file database
/// runs in WAL mode with one writer connection, shared by group commit (``WriterConnection``),
/// and a small pool of reader connections, so reads go on while a write commits. An in-memory
/// database (`path: nil`) uses the writer connection for everything.
///
/// ```swift
/// let store = try MetadataStore(path: "/var/lib/s3emu/metadata.sqlite")
/// _ = try store.createBucket(BucketRecord(name: "photos", creationDate: Date(), region: "us-east-1"))
/// ```
public final class MetadataStore: Sendable {
    /// The only connection that writes (and, in memory, the only connection).
    let writer: WriterConnection
    /// Reader connections of a file database; empty in memory.
    private let readers: [SQLiteConnectionSlot]
    private let nextReader = Atomic<UInt>(0)
    /// Recently read current versions, valid until the next write begins.
    let currentObjects = CurrentObjectCache()

    /// How many reader connections a file database opens.
    static let readerCount = 4

    /// Opens (creating and migrating if needed) the metadata database.
    ///
    /// - Parameters:
    ///   - path: the database file; `nil` keeps the database in memory for the life of the store.
    ///   - durable: `false` runs with `synchronous=NORMAL`: in WAL mode a commit is durable against a
    ///     crash of the process (the WAL is in the OS page cache), but the last commits may be lost
    ///     on power loss or an OS crash (the database stays consistent). `true` runs with
    ///     `synchronous=FULL`, which syncs the WAL at every commit.
    public init(path: String?, durable: Bool = false) throws {
        guard let path else {
            let connection = try SQLiteConnection(path: ":memory:")
            try Self.configure(connection, journalModeWAL: false, durable: durable, readOnly: false)
            try Self.migrate(connection)
            self.writer = WriterConnection(connection)
            self.readers = []
            return
        }
        let connection = try SQLiteConnection(path: path)
        try Self.configure(connection, journalModeWAL: true, durable: durable, readOnly: false)
        try Self.migrate(connection)
        self.writer = WriterConnection(connection)
        var readers: [SQLiteConnectionSlot] = []
        for _ in 0..<Self.readerCount {
            let reader = try SQLiteConnection(path: path)
            try Self.configure(reader, journalModeWAL: false, durable: durable, readOnly: true)
            readers.append(SQLiteConnectionSlot(reader))
        }
        self.readers = readers
    }

    // MARK: Connections

    private static func configure(_ connection: SQLiteConnection, journalModeWAL: Bool, durable: Bool, readOnly: Bool) throws {
        try connection.execute("PRAGMA busy_timeout = 5000")
        try connection.execute("PRAGMA foreign_keys = ON")
        if journalModeWAL {
            let mode = try connection.scalarString("PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw StorageError.corrupt("cannot switch \(connection.path) to WAL mode (journal_mode is \(mode ?? "unknown"))")
            }
        }
        // NORMAL: durable against a process crash in WAL mode; FULL: also against power loss.
        try connection.execute(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        if readOnly {
            try connection.execute("PRAGMA query_only = ON")
        } else {
            // 16 MiB of page cache for the writer (SQLite's default is 2 MiB): a commit touches
            // index pages all over a large database (inline blobs, keys), and re-reading them
            // from the file cost 10-20% of a small PUT at 100 000 objects.
            try connection.execute("PRAGMA cache_size = -16384")
        }
    }

    /// Applies the migrations not yet applied, in order, each in its own transaction.
    static func migrate(_ connection: SQLiteConnection) throws {
        let applied = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
        let migrations = SchemaMigration.all
        guard applied <= migrations.count else {
            throw StorageError.corrupt(
                "\(connection.path) has schema version \(applied); this s3emu knows \(migrations.count) migrations"
            )
        }
        for index in applied..<migrations.count {
            try connection.transaction(immediate: true) {
                try connection.execute(migrations[index].sql)
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    /// Runs `body` in a write transaction: committed when it returns (possibly in one SQLite
    /// commit with other callers' transactions, see ``WriterConnection``), rolled back when it throws.
    func write<Result: Sendable>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        // Under way from before the transaction until the caller learns the outcome: no read in
        // between is answered from the cache.
        currentObjects.writeBegins()
        defer { currentObjects.writeEnded() }
        return try writer.transaction(body)
    }

    /// Runs `body` in a write transaction like ``write(_:)``, without holding a thread while it
    /// waits: the transaction is queued for the next group commit, and `runQueue` is given, when
    /// no run of the queue is pending, the job that runs it (``WriterConnection/runQueued()``,
    /// which blocks), to run on a thread of its choosing.
    func write<Result: Sendable>(
        runningQueueWith runQueue: (_ job: @escaping @Sendable () -> Void) -> Void,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> Result
    ) async throws -> Result {
        let outcome = QueuedWriteOutcome<Result>()
        let writer = self.writer
        let currentObjects = self.currentObjects
        return try await withUnsafeThrowingContinuation { continuation in
            // As in `write(_:)`: under way from before the transaction until the caller learns
            // the outcome.
            currentObjects.writeBegins()
            let mustRun = writer.enqueue({ connection in outcome.value = try body(connection) }) { failure in
                currentObjects.writeEnded()
                if let failure {
                    continuation.resume(throwing: failure)
                } else {
                    // Set by `body`, which returned (no failure).
                    continuation.resume(returning: outcome.value!)
                }
            }
            if mustRun {
                runQueue { writer.runQueued() }
            }
        }
    }

    /// Runs `body` with a reader connection: the first idle one of the pool, or (all busy) waits
    /// for one. In memory, the writer connection.
    func read<Result: Sendable>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        guard !readers.isEmpty else {
            return try writer.withConnection(body)
        }
        let count = UInt(readers.count)
        let start = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        for offset in 0..<count {
            let slot = readers[Int((start &+ offset) % count)]
            if let result = try slot.connection.withLockIfAvailable({ connection in try body(connection) }) {
                return result
            }
        }
        return try readers[Int(start % count)].connection.withLock { connection in try body(connection) }
    }

    // MARK: Buckets

    /// Creates the bucket; `false` when a bucket of that name already exists (nothing changes).
    public func createBucket(_ record: BucketRecord) throws -> Bool {
        try write { connection in
            try connection.withStatement(
                "INSERT INTO buckets (name, creation_date, region) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING"
            ) { statement in
                try statement.bind(1, text: record.name)
                try statement.bind(2, double: record.creationDate.timeIntervalSinceReferenceDate)
                try statement.bind(3, text: record.region)
                try statement.run()
            }
            return connection.changes == 1
        }
    }

    /// The bucket named `name`, or `nil`.
    public func bucket(named name: String) throws -> BucketRecord? {
        try read { connection in
            try connection.withStatement("SELECT name, creation_date, region FROM buckets WHERE name = ?1") { statement in
                try statement.bind(1, text: name)
                return try statement.step() ? Self.bucketRecord(statement) : nil
            }
        }
    }

    /// Every bucket, sorted by name.
    public func buckets() throws -> [BucketRecord] {
        try read { connection in
            try connection.withStatement("SELECT name, creation_date, region FROM buckets ORDER BY name") { statement in
                var records: [BucketRecord] = []
                while try statement.step() {
                    records.append(Self.bucketRecord(statement))
                }
                return records
            }
        }
    }

    /// Deletes the bucket when it exists and holds no objects. Multipart uploads in progress go
    /// with it (as in S3); their parts' blobs are left for the start-up sweep — use
    /// ``deleteBucketDiscardingUploads(named:)`` to remove them at once.
    public func deleteBucket(named name: String) throws -> DeleteBucketResult {
        try deleteBucketDiscardingUploads(named: name).result
    }

    /// Deletes the bucket when it exists and holds no objects, with its multipart uploads in
    /// progress; returns the blobs of their parts, which the caller removes.
    public func deleteBucketDiscardingUploads(named name: String) throws -> (result: DeleteBucketResult, discardedBlobIDs: [String]) {
        try write { connection in
            let exists = try connection.withStatement("SELECT 1 FROM buckets WHERE name = ?1") { statement in
                try statement.bind(1, text: name)
                return try statement.step()
            }
            guard exists else {
                return (.noSuchBucket, [])
            }
            // Noncurrent versions and delete markers count too: S3 deletes only a bucket with none.
            var hasObjects = false
            for sql in ["SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1", "SELECT 1 FROM object_versions WHERE bucket = ?1 LIMIT 1"] {
                hasObjects = try hasObjects || connection.withStatement(sql) { statement in
                    try statement.bind(1, text: name)
                    return try statement.step()
                }
            }
            guard !hasObjects else {
                return (.notEmpty, [])
            }
            let discarded = try connection.strings(
                """
                SELECT multipart_parts.blob_id FROM multipart_uploads
                JOIN multipart_parts ON multipart_parts.upload_id = multipart_uploads.upload_id
                WHERE multipart_uploads.bucket = ?1
                """,
                binding: name
            )
            // Uploads, their parts and the bucket's configurations go by ON DELETE CASCADE.
            try connection.withStatement("DELETE FROM buckets WHERE name = ?1") { statement in
                try statement.bind(1, text: name)
                try statement.run()
            }
            return (.deleted, discarded)
        }
    }

    private static func bucketRecord(_ statement: SQLiteStatement) -> BucketRecord {
        BucketRecord(
            name: statement.string(0),
            creationDate: Date(timeIntervalSinceReferenceDate: statement.double(1)),
            region: statement.string(2)
        )
    }

    // MARK: Objects

    /// The columns every object query selects, in the order ``objectRecord(bucket:_:)`` reads them.
    static let objectColumns = "key, size, etag, last_modified, blob_id, metadata, version_id"
    private static let selectObjectSQL = "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key = ?2"

    /// The object under `key` in `bucket`, or `nil`.
    public func object(bucket: String, key: String) throws -> ObjectRecord? {
        try read { connection in
            try connection.withStatement(Self.selectObjectSQL) { statement in
                try statement.bind(1, text: bucket)
                try statement.bind(2, utf8Blob: key)
                return try statement.step() ? Self.objectRecord(bucket: bucket, statement) : nil
            }
        }
    }

    /// Commits the row in one transaction, checking the bucket and the precondition inside it;
    /// returns the blob file the row replaced (the caller removes it; a replaced inline blob is
    /// deleted in the transaction).
    ///
    /// With `inlineBytes`, the object's bytes are stored in the database in the same transaction
    /// (an inline blob), and `record.blobID` must be an inline blob id (``BlobID/randomInline()``).
    public func putObject(_ record: ObjectRecord, inlineBytes: [UInt8]? = nil, precondition: WritePrecondition) throws -> PutObjectResult {
        try write(try Self.putObjectTransaction(record, inlineBytes: inlineBytes, precondition: precondition))
    }

    /// ``putObject(_:inlineBytes:precondition:)`` queued for the next group commit, without
    /// holding a thread while it waits (see ``write(runningQueueWith:_:)``): `runQueue` is given
    /// the blocking job that runs the queue, when one has to be started.
    public func putObject(
        _ record: ObjectRecord, inlineBytes: [UInt8]? = nil, precondition: WritePrecondition,
        runningQueueWith runQueue: (_ job: @escaping @Sendable () -> Void) -> Void
    ) async throws -> PutObjectResult {
        let transaction = try Self.putObjectTransaction(record, inlineBytes: inlineBytes, precondition: precondition)
        return try await write(runningQueueWith: runQueue, transaction)
    }

    /// The transaction of ``putObject(_:inlineBytes:precondition:)``.
    private static func putObjectTransaction(
        _ record: ObjectRecord, inlineBytes: [UInt8]?, precondition: WritePrecondition
    ) throws -> @Sendable (SQLiteConnection) throws -> PutObjectResult {
        guard (inlineBytes != nil) == BlobID.isInline(record.blobID) else {
            throw StorageError.corrupt("blob \(record.blobID) given \(inlineBytes == nil ? "without" : "with") inline bytes")
        }
        let metadata = record.metadata.jsonText()
        return { connection in
            let result = try Self.putObject(record, metadata: metadata, precondition: precondition, connection)
            if case .stored = result, let inlineBytes {
                try Self.insertInlineBlob(record.blobID, bytes: inlineBytes, connection)
            }
            return result
        }
    }

    /// ``putObject(_:inlineBytes:precondition:)`` inside the caller's transaction, without the
    /// inline bytes; a replaced inline blob is deleted here.
    static func putObject(
        _ record: ObjectRecord, metadata: String, precondition: WritePrecondition, _ connection: SQLiteConnection
    ) throws -> PutObjectResult {
        let bucketExists = try connection.withStatement("SELECT 1 FROM buckets WHERE name = ?1") { statement in
            try statement.bind(1, text: record.bucket)
            return try statement.step()
        }
        guard bucketExists else {
            return .noSuchBucket
        }
        let current = try Self.currentVersion(bucket: record.bucket, key: record.key, connection)
        switch precondition {
        case .none:
            break
        case .ifNoneMatchAny:
            if current != nil {
                return .preconditionFailed
            }
        case .ifMatch(let etag):
            guard let current, etag == "*" || etag == current.etag else {
                return .preconditionFailed
            }
        }
        let (replaced, versionID) = try Self.storeVersion(record, replacing: current, metadata: metadata, connection)
        return .stored(replacedBlobID: try Self.releaseInlineBlob(replaced, connection), versionID: versionID)
    }

    /// Writes the record as its key's newest version, as the bucket's versioning says; returns
    /// the blob no version refers to any more, if any, and the `x-amz-version-id` to report.
    private static func storeVersion(
        _ record: ObjectRecord, replacing current: CurrentVersion?, metadata: String, _ connection: SQLiteConnection
    ) throws -> (replacedBlobID: String?, versionID: String?) {
        var record = record
        record.isDeleteMarker = false
        switch try Self.versioning(bucket: record.bucket, connection) {
        case nil:
            record.versionID = nil
            try Self.upsert(record, metadata: metadata, sequence: 0, connection)
            guard let current, current.blobID != record.blobID else {
                return (nil, nil)
            }
            return (current.blobID, nil)
        case .enabled:
            let sequence = try Self.nextSequence(bucket: record.bucket, key: record.key, current: current, connection)
            if current != nil {
                try Self.archiveCurrentVersion(bucket: record.bucket, key: record.key, connection)
            }
            record.versionID = VersionID.make()
            try Self.upsert(record, metadata: metadata, sequence: sequence, connection)
            return (nil, record.versionID)
        case .suspended:
            let sequence = try Self.nextSequence(bucket: record.bucket, key: record.key, current: current, connection)
            // The new object is the null version: it replaces the null version, current or not.
            var replaced: String?
            if let current {
                if current.versionID == nil {
                    replaced = current.blobID
                } else {
                    try Self.archiveCurrentVersion(bucket: record.bucket, key: record.key, connection)
                }
            }
            if let removed = try Self.removeNoncurrentVersion(bucket: record.bucket, key: record.key, versionID: nil, connection),
               !removed.isDeleteMarker {
                replaced = removed.blobID
            }
            record.versionID = nil
            try Self.upsert(record, metadata: metadata, sequence: sequence, connection)
            return (replaced == record.blobID ? nil : replaced, VersionReference.text(nil))
        }
    }

    /// Writes the current-version row of the record's key.
    static func upsert(_ record: ObjectRecord, metadata: String, sequence: Int64, _ connection: SQLiteConnection) throws {
        try connection.withStatement(
            """
            INSERT INTO objects (bucket, key, size, etag, last_modified, blob_id, metadata, version_id, sequence)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (bucket, key) DO UPDATE SET
                size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
                blob_id = excluded.blob_id, metadata = excluded.metadata, version_id = excluded.version_id,
                sequence = excluded.sequence
            """
        ) { statement in
            try statement.bind(1, text: record.bucket)
            try statement.bind(2, utf8Blob: record.key)
            try statement.bind(3, int64: record.size)
            try statement.bind(4, text: record.etag)
            try statement.bind(5, double: record.lastModified.timeIntervalSinceReferenceDate)
            try statement.bind(6, text: record.blobID)
            try statement.bind(7, text: metadata)
            try statement.bind(8, text: record.versionID)
            try statement.bind(9, int64: sequence)
            try statement.run()
        }
    }

    /// Writes many rows in one transaction, unconditionally (seeding and tests). The replaced
    /// blobs are not reported.
    func insertObjects(_ records: [ObjectRecord]) throws {
        let metadata = records.map { $0.metadata.jsonText() }
        try write { connection in
            for (record, metadata) in zip(records, metadata) {
                try Self.upsert(record, metadata: metadata, sequence: 0, connection)
            }
        }
    }

    /// Reads an object row selected with ``objectColumns``.
    static func objectRecord(bucket: String, _ statement: SQLiteStatement) throws -> ObjectRecord {
        ObjectRecord(
            bucket: bucket,
            key: statement.string(0),
            size: statement.int64(1),
            etag: statement.string(2),
            lastModified: Date(timeIntervalSinceReferenceDate: statement.double(3)),
            blobID: statement.string(4),
            metadata: try statement.withBytes(5) { try ObjectMetadata(jsonBytes: $0) },
            versionID: statement.optionalString(6)
        )
    }

    // MARK: Maintenance

    /// The blob id of every object version and of every part of an upload in progress, for
    /// ``BlobStore/sweep(keeping:)`` at start-up.
    public func liveBlobIDs() throws -> Set<String> {
        try read { connection in
            try connection.transaction(immediate: false) {
                var ids = Set<String>()
                for sql in [
                    "SELECT blob_id FROM objects", "SELECT blob_id FROM object_versions WHERE delete_marker = 0",
                    "SELECT blob_id FROM multipart_parts",
                ] {
                    ids.formUnion(try connection.strings(sql))
                }
                return ids
            }
        }
    }

    /// `true` when `PRAGMA integrity_check` answers `ok`.
    public func integrityCheck() throws -> Bool {
        try writer.withConnection { connection in
            try connection.scalarString("PRAGMA integrity_check") == "ok"
        }
    }
}

/// The result of a transaction queued by ``MetadataStore/write(runningQueueWith:_:)``.
///
/// `@unchecked Sendable`: set by the transaction on the thread that runs the group, read in
/// its `finished` call on that same thread.
private final class QueuedWriteOutcome<Value>: @unchecked Sendable {
    var value: Value?
}
