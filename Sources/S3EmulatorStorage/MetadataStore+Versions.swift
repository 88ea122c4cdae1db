import Foundation
import Synchronization

/// Versioning: each key's current version lives in `objects` when it is an object; every other
/// version (noncurrent objects, delete markers — a current delete marker included) lives in
/// `object_versions`. `sequence` orders a key's versions, newest largest, and the `objects` row,
/// when there is one, is always the newest. The null version (`version_id IS NULL`) exists at
/// most once per key across both tables.
extension MetadataStore {
    // MARK: Public operations

    /// The bucket's versioning state; `nil` when it never had versioning enabled (or there is no
    /// such bucket).
    public func versioning(bucket: String) throws -> BucketVersioning? {
        try bucketConfiguration(bucket: bucket, name: BucketVersioning.configurationName).flatMap(BucketVersioning.init(rawValue:))
    }

    /// The version of `key` that `version` names, or `nil` when there is none.
    ///
    /// For ``VersionReference/latest`` that is the current object, or the delete marker that hides
    /// the key (``ObjectRecord/isDeleteMarker``); a named version may be a delete marker too.
    public func objectVersion(bucket: String, key: String, version: VersionReference) throws -> ObjectRecord? {
        try objectVersion(bucket: bucket, key: key, version: version, inlineBytesUpTo: 0)?.record
    }

    /// ``objectVersion(bucket:key:version:)``, and in the same read transaction the bytes of the
    /// version when they are an inline blob of at most `limit` bytes (a small GET: one read of
    /// the database instead of two, and bytes that always match the row).
    ///
    /// The latest version comes from ``CurrentObjectCache`` when no write has begun since it was
    /// read: a repeated GET of an unchanged object reads no row.
    public func objectVersion(
        bucket: String, key: String, version: VersionReference, inlineBytesUpTo limit: Int64
    ) throws -> (record: ObjectRecord, inlineBytes: [UInt8]?)? {
        guard case .latest = version else {
            return try readObjectVersion(bucket: bucket, key: key, version: version, inlineBytesUpTo: limit)
        }
        guard let generation = currentObjects.quietGeneration() else {
            return try readObjectVersion(bucket: bucket, key: key, version: version, inlineBytesUpTo: limit)
        }
        if let entry = currentObjects.entry(bucket: bucket, key: key, inlineBytesUpTo: limit, generation: generation) {
            return (entry.record, limit > 0 && entry.record.size <= limit ? entry.inlineBytes : nil)
        }
        let result = try readObjectVersion(bucket: bucket, key: key, version: version, inlineBytesUpTo: limit)
        if let result {
            currentObjects.store(
                CurrentObjectCache.Entry(record: result.record, inlineBytes: result.inlineBytes, inlineLimit: limit),
                bucket: bucket, key: key, generation: generation
            )
        }
        return result
    }

    private func readObjectVersion(
        bucket: String, key: String, version: VersionReference, inlineBytesUpTo limit: Int64
    ) throws -> (record: ObjectRecord, inlineBytes: [UInt8]?)? {
        try read { connection in
            try connection.transaction(immediate: false) {
                let record: ObjectRecord?
                switch version {
                case .latest:
                    if let current = try Self.currentRecord(bucket: bucket, key: key, connection) {
                        record = current
                    } else {
                        let newest = try Self.newestNoncurrentVersion(bucket: bucket, key: key, connection)
                        record = newest?.isDeleteMarker == true ? newest : nil
                    }
                case .null, .id:
                    record = try Self.namedVersion(bucket: bucket, key: key, versionID: version.storedVersionID, connection)
                }
                guard let record else {
                    return nil
                }
                guard limit > 0, !record.isDeleteMarker, record.size <= limit, BlobID.isInline(record.blobID) else {
                    return (record, nil)
                }
                return (record, try Self.inlineBlob(record.blobID, connection))
            }
        }
    }

    /// DeleteObject as S3 does it for the bucket's versioning state:
    /// - ``VersionReference/latest`` in a bucket that never had versioning removes the object;
    ///   with versioning enabled it adds a delete marker with a new id (the object becomes
    ///   noncurrent); suspended, it adds a null-version delete marker, replacing the null version.
    /// - A named version is removed for good (object or delete marker); when it was the current
    ///   one, the next newest version becomes current. Naming a version that does not exist
    ///   changes nothing.
    ///
    /// `now` is the delete marker's last-modified time. The caller removes ``DeleteObjectResult/removedBlobID``.
    public func deleteObject(bucket: String, key: String, version: VersionReference, now: Date) throws -> DeleteObjectResult {
        try write(Self.deleteObjectTransaction(bucket: bucket, key: key, version: version, now: now))
    }

    /// ``deleteObject(bucket:key:version:now:)`` queued for the next group commit, without
    /// holding a thread while it waits (see ``write(runningQueueWith:_:)``): `runQueue` is given
    /// the blocking job that runs the queue, when one has to be started.
    public func deleteObject(
        bucket: String, key: String, version: VersionReference, now: Date,
        runningQueueWith runQueue: (_ job: @escaping @Sendable () -> Void) -> Void
    ) async throws -> DeleteObjectResult {
        try await write(runningQueueWith: runQueue, Self.deleteObjectTransaction(bucket: bucket, key: key, version: version, now: now))
    }

    /// The transaction of ``deleteObject(bucket:key:version:now:)``.
    private static func deleteObjectTransaction(
        bucket: String, key: String, version: VersionReference, now: Date
    ) -> @Sendable (SQLiteConnection) throws -> DeleteObjectResult {
        { connection in
            var result: DeleteObjectResult
            switch version {
            case .latest:
                result = try deleteLatest(bucket: bucket, key: key, now: now, connection)
            case .null, .id:
                result = try deleteVersion(bucket: bucket, key: key, versionID: version.storedVersionID, connection)
            }
            result.removedBlobID = try releaseInlineBlob(result.removedBlobID, connection)
            return result
        }
    }

    /// Replaces the metadata (tags, ACL) of one existing object version in place, without creating
    /// a version; `false` when that version is gone or no longer has entity tag `etag`.
    public func updateObjectMetadata(bucket: String, key: String, versionID: String?, etag: String, metadata: ObjectMetadata) throws -> Bool {
        let text = metadata.jsonText()
        return try write { connection in
            for sql in [
                "UPDATE objects SET metadata = ?5 WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3 AND etag = ?4",
                "UPDATE object_versions SET metadata = ?5 WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3 AND etag = ?4 AND delete_marker = 0",
            ] {
                try connection.withStatement(sql) { statement in
                    try statement.bind(1, text: bucket)
                    try statement.bind(2, utf8Blob: key)
                    try statement.bind(3, text: versionID)
                    try statement.bind(4, text: etag)
                    try statement.bind(5, text: text)
                    try statement.run()
                }
                if connection.changes > 0 { return true }
            }
            return false
        }
    }

    /// Removes every version and delete marker of every key in `bucket`; returns their blob files
    /// (the caller removes them).
    public func removeAllObjects(bucket: String) throws -> [String] {
        try write { connection in
            var blobIDs: [String] = []
            for sql in [
                "DELETE FROM objects WHERE bucket = ?1 RETURNING blob_id",
                "DELETE FROM object_versions WHERE bucket = ?1 RETURNING blob_id",
            ] {
                blobIDs += try connection.strings(sql, binding: bucket)
            }
            // Delete markers have no blob; inline blobs go with their rows.
            return try blobIDs.filter { !$0.isEmpty }.compactMap { try Self.releaseInlineBlob($0, connection) }
        }
    }

    // MARK: Listing

    /// One page of ListObjectVersions: every version and delete marker of the keys that start
    /// with `prefix`, in key order and newest first within a key, rolled up by `delimiter` as
    /// ListObjects does. The page starts after `keyMarker` — after all of its versions, or with
    /// `versionIDMarker`, after that version of it. Entries and common prefixes count towards
    /// `maxKeys`. Index range scans: the cost is proportional to the page.
    public func listObjectVersions(
        bucket: String, prefix: String, delimiter: String?, keyMarker: String?, versionIDMarker: VersionReference?, maxKeys: Int
    ) throws -> VersionListing {
        guard maxKeys > 0 else { return VersionListing() }
        let prefixBytes = Array(prefix.utf8)
        let delimiterBytes = Array((delimiter ?? "").utf8)
        let upperBound = Self.successor(of: prefixBytes)

        return try read { connection in
            try connection.transaction(immediate: false) {
                var listing = VersionListing()
                // Rows of `resumeKey` at or above `resumeSequence` were on earlier pages.
                var resumeKey: [UInt8]?
                var resumeSequence = Int64.max
                guard var lowerBound = Self.lowerBound(prefix: prefixBytes, delimiter: delimiterBytes, marker: keyMarker) else {
                    return listing
                }
                if let keyMarker, let versionIDMarker, versionIDMarker != .latest, !lowerBound.inclusive {
                    // The marker is a key of the range (not before the prefix, not inside a common prefix).
                    if let sequence = try Self.sequence(bucket: bucket, key: keyMarker, versionID: versionIDMarker.storedVersionID, connection) {
                        lowerBound = (Array(keyMarker.utf8), true)
                        resumeKey = lowerBound.bytes
                        resumeSequence = sequence
                    }
                }

                var count = 0
                var previousKey: [UInt8]?
                scan: while true {
                    let next = try Self.withVersionRows(bucket: bucket, from: lowerBound, to: upperBound, connection) { row -> ListingSeek? in
                        let keyBytes = row.keyBytes
                        if keyBytes == resumeKey, row.sequence >= resumeSequence {
                            return nil
                        }
                        if !delimiterBytes.isEmpty,
                           let commonPrefix = keyBytes.withUnsafeBytes({
                               Self.commonPrefix(of: $0, prefixLength: prefixBytes.count, delimiter: delimiterBytes)
                           })
                        {
                            if count == maxKeys {
                                listing.isTruncated = true
                                return .finished
                            }
                            let text = String(decoding: commonPrefix, as: UTF8.self)
                            listing.commonPrefixes.append(text)
                            listing.nextKeyMarker = text
                            listing.nextVersionIDMarker = nil
                            count += 1
                            guard let after = Self.successor(of: commonPrefix) else { return .finished }
                            return .seek(after)
                        }
                        if count == maxKeys {
                            listing.isTruncated = true
                            return .finished
                        }
                        let isLatest = keyBytes != previousKey && keyBytes != resumeKey
                        previousKey = keyBytes
                        listing.entries.append(VersionListing.Entry(record: try row.record(), isLatest: isLatest))
                        listing.nextKeyMarker = row.key
                        listing.nextVersionIDMarker = VersionReference.text(row.versionID)
                        count += 1
                        return nil
                    }
                    switch next {
                    case .finished, nil:
                        break scan
                    case .seek(let bytes):
                        lowerBound = (bytes, true)
                    }
                }
                if !listing.isTruncated {
                    listing.nextKeyMarker = nil
                    listing.nextVersionIDMarker = nil
                }
                return listing
            }
        }
    }

    private enum ListingSeek {
        case finished
        case seek([UInt8])
    }

    /// One row of the merged scan over both tables.
    private struct VersionRow {
        let bucket: String
        let keyBytes: [UInt8]
        let sequence: Int64
        let statement: SQLiteStatement
        let isDeleteMarker: Bool

        var key: String { String(decoding: keyBytes, as: UTF8.self) }
        var versionID: String? { statement.optionalString(6) }

        func record() throws -> ObjectRecord {
            var record = try MetadataStore.objectRecord(bucket: bucket, statement)
            record.isDeleteMarker = isDeleteMarker
            return record
        }
    }

    /// Steps through the versions of the keys in `[from, to)` in listing order — key ascending,
    /// then newest first — merging the `objects` and `object_versions` range scans, until `body`
    /// returns a decision (or the range ends: `nil`).
    private static func withVersionRows(
        bucket: String, from lowerBound: (bytes: [UInt8], inclusive: Bool), to upperBound: [UInt8]?,
        _ connection: SQLiteConnection, _ body: (VersionRow) throws -> ListingSeek?
    ) throws -> ListingSeek? {
        let comparison = lowerBound.inclusive ? ">=" : ">"
        let bound = upperBound == nil ? "" : " AND key < ?3"
        let currentSQL = "SELECT \(objectColumns), 0, sequence FROM objects WHERE bucket = ?1 AND key \(comparison) ?2\(bound) ORDER BY key"
        let noncurrentSQL = """
            SELECT key, size, etag, last_modified, blob_id, metadata, version_id, delete_marker, sequence FROM object_versions
            WHERE bucket = ?1 AND key \(comparison) ?2\(bound) ORDER BY key, sequence DESC
            """
        return try connection.withStatement(currentSQL) { current in
            try connection.withStatement(noncurrentSQL) { noncurrent in
                for statement in [current, noncurrent] {
                    try statement.bind(1, text: bucket)
                    try statement.bind(2, bytes: lowerBound.bytes)
                    if let upperBound { try statement.bind(3, bytes: upperBound) }
                }
                func row(_ statement: SQLiteStatement) -> VersionRow {
                    VersionRow(
                        bucket: bucket, keyBytes: statement.withBytes(0) { Array($0) }, sequence: statement.int64(8),
                        statement: statement, isDeleteMarker: statement.int64(7) != 0
                    )
                }
                var currentRow = try current.step() ? row(current) : nil
                var noncurrentRow = try noncurrent.step() ? row(noncurrent) : nil
                while true {
                    let takeCurrent: Bool
                    switch (currentRow, noncurrentRow) {
                    case (nil, nil):
                        return nil
                    case (.some, nil):
                        takeCurrent = true
                    case (nil, .some):
                        takeCurrent = false
                    case (.some(let a), .some(let b)):
                        // The current row of a key is its newest version: it comes first.
                        takeCurrent = !b.keyBytes.lexicographicallyPrecedes(a.keyBytes)
                    }
                    if takeCurrent, let taken = currentRow {
                        if let decision = try body(taken) { return decision }
                        currentRow = try current.step() ? row(current) : nil
                    } else if let taken = noncurrentRow {
                        if let decision = try body(taken) { return decision }
                        noncurrentRow = try noncurrent.step() ? row(noncurrent) : nil
                    }
                }
            }
        }
    }

    // MARK: Building blocks (inside the caller's transaction)

    /// What a write needs to know of a key's current object.
    struct CurrentVersion {
        let etag: String
        let blobID: String
        let versionID: String?
        let sequence: Int64
    }

    static func versioning(bucket: String, _ connection: SQLiteConnection) throws -> BucketVersioning? {
        try connection.withStatement("SELECT value FROM bucket_configurations WHERE bucket = ?1 AND name = ?2") { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, text: BucketVersioning.configurationName)
            return try statement.step() ? BucketVersioning(rawValue: statement.string(0)) : nil
        }
    }

    static func currentVersion(bucket: String, key: String, _ connection: SQLiteConnection) throws -> CurrentVersion? {
        try connection.withStatement(
            "SELECT etag, blob_id, version_id, sequence FROM objects WHERE bucket = ?1 AND key = ?2"
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            guard try statement.step() else { return nil }
            return CurrentVersion(
                etag: statement.string(0), blobID: statement.string(1), versionID: statement.optionalString(2), sequence: statement.int64(3)
            )
        }
    }

    private static func currentRecord(bucket: String, key: String, _ connection: SQLiteConnection) throws -> ObjectRecord? {
        try connection.withStatement("SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key = ?2") { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            return try statement.step() ? try objectRecord(bucket: bucket, statement) : nil
        }
    }

    private static let versionColumns = "key, size, etag, last_modified, blob_id, metadata, version_id, delete_marker, sequence"

    private static func versionRecord(bucket: String, _ statement: SQLiteStatement) throws -> ObjectRecord {
        var record = try objectRecord(bucket: bucket, statement)
        record.isDeleteMarker = statement.int64(7) != 0
        return record
    }

    private static func newestNoncurrentVersion(bucket: String, key: String, _ connection: SQLiteConnection) throws -> ObjectRecord? {
        try connection.withStatement(
            "SELECT \(versionColumns) FROM object_versions WHERE bucket = ?1 AND key = ?2 ORDER BY sequence DESC LIMIT 1"
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            return try statement.step() ? try versionRecord(bucket: bucket, statement) : nil
        }
    }

    private static func namedVersion(bucket: String, key: String, versionID: String?, _ connection: SQLiteConnection) throws -> ObjectRecord? {
        let current = try connection.withStatement(
            "SELECT \(objectColumns) FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3"
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.bind(3, text: versionID)
            return try statement.step() ? try objectRecord(bucket: bucket, statement) : nil
        }
        if let current { return current }
        return try connection.withStatement(
            "SELECT \(versionColumns) FROM object_versions WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3"
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.bind(3, text: versionID)
            return try statement.step() ? try versionRecord(bucket: bucket, statement) : nil
        }
    }

    /// The sequence of the named version of `key`, in either table; `nil` when there is none.
    private static func sequence(bucket: String, key: String, versionID: String?, _ connection: SQLiteConnection) throws -> Int64? {
        for table in ["objects", "object_versions"] {
            let found = try connection.withStatement(
                "SELECT sequence FROM \(table) WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3"
            ) { statement -> Int64? in
                try statement.bind(1, text: bucket)
                try statement.bind(2, utf8Blob: key)
                try statement.bind(3, text: versionID)
                return try statement.step() ? statement.int64(0) : nil
            }
            if let found { return found }
        }
        return nil
    }

    /// The sequence a new version of `key` gets: one more than the newest.
    static func nextSequence(bucket: String, key: String, current: CurrentVersion?, _ connection: SQLiteConnection) throws -> Int64 {
        let newestNoncurrent = try connection.withStatement(
            "SELECT sequence FROM object_versions WHERE bucket = ?1 AND key = ?2 ORDER BY sequence DESC LIMIT 1"
        ) { statement -> Int64 in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            return try statement.step() ? statement.int64(0) : 0
        }
        return max(current?.sequence ?? 0, newestNoncurrent) + 1
    }

    /// Copies the key's current object into `object_versions` (it becomes noncurrent once the
    /// caller replaces or deletes the `objects` row).
    static func archiveCurrentVersion(bucket: String, key: String, _ connection: SQLiteConnection) throws {
        try connection.withStatement(
            """
            INSERT INTO object_versions (bucket, key, sequence, version_id, delete_marker, size, etag, last_modified, blob_id, metadata)
            SELECT bucket, key, sequence, version_id, 0, size, etag, last_modified, blob_id, metadata
            FROM objects WHERE bucket = ?1 AND key = ?2
            """
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.run()
        }
    }

    /// Removes a noncurrent version (or delete marker) of `key`; returns its blob and kind, or
    /// `nil` when there was none.
    static func removeNoncurrentVersion(
        bucket: String, key: String, versionID: String?, _ connection: SQLiteConnection
    ) throws -> (blobID: String, isDeleteMarker: Bool)? {
        try connection.withStatement(
            "DELETE FROM object_versions WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3 RETURNING blob_id, delete_marker"
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.bind(3, text: versionID)
            guard try statement.step() else { return nil }
            let removed = (blobID: statement.string(0), isDeleteMarker: statement.int64(1) != 0)
            try statement.run()  // finish the statement so the delete is complete before the reset
            return removed
        }
    }

    private static func removeCurrentObject(bucket: String, key: String, _ connection: SQLiteConnection) throws {
        try connection.withStatement("DELETE FROM objects WHERE bucket = ?1 AND key = ?2") { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.run()
        }
    }

    private static func insertDeleteMarker(
        bucket: String, key: String, versionID: String?, sequence: Int64, now: Date, _ connection: SQLiteConnection
    ) throws {
        try connection.withStatement(
            """
            INSERT INTO object_versions (bucket, key, sequence, version_id, delete_marker, size, etag, last_modified, blob_id, metadata)
            VALUES (?1, ?2, ?3, ?4, 1, 0, '', ?5, '', '{}')
            """
        ) { statement in
            try statement.bind(1, text: bucket)
            try statement.bind(2, utf8Blob: key)
            try statement.bind(3, int64: sequence)
            try statement.bind(4, text: versionID)
            try statement.bind(5, double: now.timeIntervalSinceReferenceDate)
            try statement.run()
        }
    }

    /// When `key` has no current object and its newest remaining version is an object, that
    /// version becomes current (moves to `objects`).
    private static func promoteNewestVersion(bucket: String, key: String, _ connection: SQLiteConnection) throws {
        guard try currentVersion(bucket: bucket, key: key, connection) == nil,
              let newest = try newestNoncurrentVersion(bucket: bucket, key: key, connection), !newest.isDeleteMarker,
              let sequence = try sequence(bucket: bucket, key: key, versionID: newest.versionID, connection)
        else { return }
        _ = try removeNoncurrentVersion(bucket: bucket, key: key, versionID: newest.versionID, connection)
        try upsert(newest, metadata: newest.metadata.jsonText(), sequence: sequence, connection)
    }

    private static func deleteLatest(bucket: String, key: String, now: Date, _ connection: SQLiteConnection) throws -> DeleteObjectResult {
        let current = try currentVersion(bucket: bucket, key: key, connection)
        switch try versioning(bucket: bucket, connection) {
        case nil:
            guard let current else { return DeleteObjectResult() }
            try removeCurrentObject(bucket: bucket, key: key, connection)
            return DeleteObjectResult(removedBlobID: current.blobID)
        case .enabled:
            let sequence = try nextSequence(bucket: bucket, key: key, current: current, connection)
            if current != nil {
                try archiveCurrentVersion(bucket: bucket, key: key, connection)
                try removeCurrentObject(bucket: bucket, key: key, connection)
            }
            let markerID = VersionID.make()
            try insertDeleteMarker(bucket: bucket, key: key, versionID: markerID, sequence: sequence, now: now, connection)
            return DeleteObjectResult(versionID: markerID, isDeleteMarker: true)
        case .suspended:
            let sequence = try nextSequence(bucket: bucket, key: key, current: current, connection)
            var removed: String?
            if let current {
                if current.versionID == nil {
                    removed = current.blobID
                } else {
                    try archiveCurrentVersion(bucket: bucket, key: key, connection)
                }
                try removeCurrentObject(bucket: bucket, key: key, connection)
            }
            if let previous = try removeNoncurrentVersion(bucket: bucket, key: key, versionID: nil, connection), !previous.isDeleteMarker {
                removed = previous.blobID
            }
            try insertDeleteMarker(bucket: bucket, key: key, versionID: nil, sequence: sequence, now: now, connection)
            return DeleteObjectResult(removedBlobID: removed, versionID: VersionReference.text(nil), isDeleteMarker: true)
        }
    }

    private static func deleteVersion(bucket: String, key: String, versionID: String?, _ connection: SQLiteConnection) throws -> DeleteObjectResult {
        var result = DeleteObjectResult(versionID: VersionReference.text(versionID))
        if let current = try currentVersion(bucket: bucket, key: key, connection), current.versionID == versionID {
            try removeCurrentObject(bucket: bucket, key: key, connection)
            result.removedBlobID = current.blobID
        } else if let removed = try removeNoncurrentVersion(bucket: bucket, key: key, versionID: versionID, connection) {
            result.isDeleteMarker = removed.isDeleteMarker
            result.removedBlobID = removed.isDeleteMarker ? nil : removed.blobID
        } else {
            return result
        }
        try promoteNewestVersion(bucket: bucket, key: key, connection)
        return result
    }
}
