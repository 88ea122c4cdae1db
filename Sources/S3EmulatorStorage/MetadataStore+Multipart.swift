import Foundation

extension MetadataStore {
    // MARK: Multipart uploads

    /// The columns every upload query selects, in the order ``uploadRecord(_:)`` reads them.
    static let uploadColumns = "upload_id, bucket, key, initiated, initiator, checksum_algorithm, metadata"
    static let partColumns = "part_number, size, etag, last_modified, blob_id, checksum"

    /// Records a new upload; `false` when the bucket does not exist (nothing changes).
    public func createMultipartUpload(_ upload: MultipartUploadRecord) throws -> Bool {
        let metadata = upload.metadata.jsonText()
        return try write { connection in
            guard try Self.bucketExists(upload.bucket, connection) else {
                return false
            }
            try connection.withStatement(
                """
                INSERT INTO multipart_uploads (\(Self.uploadColumns))
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            ) { statement in
                try statement.bind(1, text: upload.uploadID)
                try statement.bind(2, text: upload.bucket)
                try statement.bind(3, utf8Blob: upload.key)
                try statement.bind(4, double: upload.initiated.timeIntervalSinceReferenceDate)
                try statement.bind(5, text: upload.initiator)
                try statement.bind(6, text: upload.checksumAlgorithm)
                try statement.bind(7, text: metadata)
                try statement.run()
            }
            return true
        }
    }

    /// The upload `uploadID`, or `nil` when there is none (never created, completed or aborted).
    /// The caller checks that its bucket and key are the request's.
    public func multipartUpload(uploadID: String) throws -> MultipartUploadRecord? {
        try read { connection in
            try connection.withStatement("SELECT \(Self.uploadColumns) FROM multipart_uploads WHERE upload_id = ?1") { statement in
                try statement.bind(1, text: uploadID)
                return try statement.step() ? try Self.uploadRecord(statement) : nil
            }
        }
    }

    /// Records a part (replacing the part of the same number), checking inside the transaction
    /// that the upload still exists for `bucket` and `key`.
    public func putPart(uploadID: String, bucket: String, key: String, _ part: PartRecord) throws -> PutPartResult {
        try write { connection in
            guard try Self.uploadExists(uploadID, bucket: bucket, key: key, connection) else {
                return .noSuchUpload
            }
            let replaced = try connection.withStatement(
                "SELECT blob_id FROM multipart_parts WHERE upload_id = ?1 AND part_number = ?2"
            ) { statement in
                try statement.bind(1, text: uploadID)
                try statement.bind(2, int64: Int64(part.partNumber))
                return try statement.step() ? statement.string(0) : nil
            }
            try connection.withStatement(
                """
                INSERT INTO multipart_parts (upload_id, \(Self.partColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (upload_id, part_number) DO UPDATE SET
                    size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
                    blob_id = excluded.blob_id, checksum = excluded.checksum
                """
            ) { statement in
                try statement.bind(1, text: uploadID)
                try statement.bind(2, int64: Int64(part.partNumber))
                try statement.bind(3, int64: part.size)
                try statement.bind(4, text: part.etag)
                try statement.bind(5, double: part.lastModified.timeIntervalSinceReferenceDate)
                try statement.bind(6, text: part.blobID)
                try statement.bind(7, text: part.checksum)
                try statement.run()
            }
            guard let replaced, replaced != part.blobID else {
                return .stored(replacedBlobID: nil)
            }
            return .stored(replacedBlobID: replaced)
        }
    }

    /// Every part of the upload, by part number (for completion).
    public func parts(uploadID: String) throws -> [PartRecord] {
        try listParts(uploadID: uploadID, partNumberMarker: 0, maxParts: Int.max - 1).parts
    }

    /// One page of the upload's parts: those numbered above `partNumberMarker`, at most `maxParts`.
    public func listParts(uploadID: String, partNumberMarker: Int, maxParts: Int) throws -> PartListing {
        guard maxParts > 0 else {
            return PartListing()
        }
        return try read { connection in
            try connection.withStatement(
                """
                SELECT \(Self.partColumns) FROM multipart_parts
                WHERE upload_id = ?1 AND part_number > ?2 ORDER BY part_number LIMIT ?3
                """
            ) { statement in
                try statement.bind(1, text: uploadID)
                try statement.bind(2, int64: Int64(partNumberMarker))
                try statement.bind(3, int64: Int64(maxParts) + 1)
                var listing = PartListing()
                while try statement.step() {
                    if listing.parts.count == maxParts {
                        listing.isTruncated = true
                        break
                    }
                    listing.parts.append(Self.partRecord(statement))
                }
                return listing
            }
        }
    }

    /// Completes the upload in one transaction: checks that it still exists for the object's
    /// bucket and key, that `parts` (part number → blob id, as the caller read them) are still
    /// the recorded ones, and the precondition; then commits the object row (whose blob joins
    /// those parts, see ``BlobStore/makeComposite(of:)``) and removes the upload.
    public func completeMultipartUpload(
        uploadID: String, object: ObjectRecord, parts: [(partNumber: Int, blobID: String)], precondition: WritePrecondition
    ) throws -> CompleteMultipartUploadResult {
        let metadata = object.metadata.jsonText()
        return try write { (connection) throws -> CompleteMultipartUploadResult in
            guard try Self.uploadExists(uploadID, bucket: object.bucket, key: object.key, connection) else {
                return .noSuchUpload
            }
            var recorded: [Int: String] = [:]
            try connection.withStatement("SELECT part_number, blob_id FROM multipart_parts WHERE upload_id = ?1") { statement in
                try statement.bind(1, text: uploadID)
                while try statement.step() {
                    recorded[Int(statement.int64(0))] = statement.string(1)
                }
            }
            for part in parts {
                guard recorded.removeValue(forKey: part.partNumber) == part.blobID else {
                    return .partsChanged
                }
            }
            let replaced: String?
            let versionID: String?
            switch try Self.putObject(object, metadata: metadata, precondition: precondition, connection) {
            case .stored(let blobID, let version):
                replaced = blobID
                versionID = version
            case .preconditionFailed:
                return .preconditionFailed
            case .noSuchBucket:
                return .noSuchUpload  // unreachable: the upload's bucket exists while the upload does
            }
            try Self.deleteUpload(uploadID, connection)
            return .completed(
                replacedBlobID: replaced, discardedBlobIDs: recorded.keys.sorted().compactMap { recorded[$0] }, versionID: versionID
            )
        }
    }

    /// Removes the upload and its parts; returns the parts' blobs (the caller removes them), or
    /// `nil` when there is no such upload for `bucket` and `key`.
    public func abortMultipartUpload(uploadID: String, bucket: String, key: String) throws -> [String]? {
        try write { connection in
            guard try Self.uploadExists(uploadID, bucket: bucket, key: key, connection) else {
                return nil
            }
            let blobIDs = try connection.strings(
                "SELECT blob_id FROM multipart_parts WHERE upload_id = ?1 ORDER BY part_number", binding: uploadID
            )
            try Self.deleteUpload(uploadID, connection)
            return blobIDs
        }
    }

    // MARK: Listing uploads

    /// One page of ListMultipartUploads, as an index range scan over `(bucket, key, upload_id)`.
    ///
    /// Uploads whose key starts with `prefix`, in key order and, for one key, in initiation order
    /// (upload ids sort by initiation). With `keyMarker`, the page starts after that key — or,
    /// with `uploadIDMarker` too, after that upload of that key. A `delimiter` rolls keys up into
    /// common prefixes as in ``listObjects(bucket:prefix:delimiter:marker:maxKeys:)``; a common
    /// prefix counts once towards `maxUploads`.
    public func listMultipartUploads(
        bucket: String, prefix: String, delimiter: String?, keyMarker: String?, uploadIDMarker: String?, maxUploads: Int
    ) throws -> MultipartUploadListing {
        guard maxUploads > 0 else {
            return MultipartUploadListing()
        }
        let prefixBytes = Array(prefix.utf8)
        let delimiterBytes = Array((delimiter ?? "").utf8)
        let upperBound = Self.successor(of: prefixBytes)
        guard let start = Self.lowerBound(prefix: prefixBytes, delimiter: delimiterBytes, marker: keyMarker) else {
            return MultipartUploadListing()
        }
        var lowerBound: UploadListingBound
        if let keyMarker, let uploadIDMarker, !uploadIDMarker.isEmpty, !start.inclusive, start.bytes.elementsEqual(keyMarker.utf8) {
            lowerBound = .after(start.bytes, uploadID: uploadIDMarker)
        } else {
            lowerBound = start.inclusive ? .atOrAfter(start.bytes) : .after(start.bytes, uploadID: nil)
        }

        return try read { connection in
            try connection.transaction(immediate: false) {
                var listing = MultipartUploadListing()
                var count = 0
                scan: while true {
                    let sql = Self.uploadListingSQL(lowerBound, bounded: upperBound != nil)
                    let next = try connection.withStatement(sql) { statement -> [UInt8]? in
                        try statement.bind(1, text: bucket)
                        switch lowerBound {
                        case .atOrAfter(let bytes), .after(let bytes, nil):
                            try statement.bind(2, bytes: bytes)
                        case .after(let bytes, let uploadID?):
                            try statement.bind(2, bytes: bytes)
                            try statement.bind(4, text: uploadID)
                        }
                        if let upperBound {
                            try statement.bind(3, bytes: upperBound)
                        }
                        while try statement.step() {
                            if count == maxUploads {
                                listing.isTruncated = true
                                return nil
                            }
                            let commonPrefix: [UInt8]? =
                                delimiterBytes.isEmpty
                                ? nil
                                : statement.withBytes(2) { key in
                                    Self.commonPrefix(of: key, prefixLength: prefixBytes.count, delimiter: delimiterBytes)
                                }
                            if let commonPrefix {
                                let text = String(decoding: commonPrefix, as: UTF8.self)
                                listing.commonPrefixes.append(text)
                                listing.nextKeyMarker = text
                                listing.nextUploadIDMarker = nil
                                count += 1
                                return Self.successor(of: commonPrefix)
                            }
                            let upload = try Self.uploadRecord(statement)
                            listing.nextKeyMarker = upload.key
                            listing.nextUploadIDMarker = upload.uploadID
                            listing.uploads.append(upload)
                            count += 1
                        }
                        return nil
                    }
                    guard let next else {
                        break scan
                    }
                    lowerBound = .atOrAfter(next)
                }
                if !listing.isTruncated {
                    listing.nextKeyMarker = nil
                    listing.nextUploadIDMarker = nil
                }
                return listing
            }
        }
    }

    /// Where an upload listing scan (re)starts.
    private enum UploadListingBound {
        /// At the first key ≥ these bytes.
        case atOrAfter([UInt8])
        /// After these key bytes: after every upload of that key, or (with an upload id) after
        /// that upload of that key.
        case after([UInt8], uploadID: String?)
    }

    private static func uploadListingSQL(_ bound: UploadListingBound, bounded: Bool) -> String {
        let lower: String
        switch bound {
        case .atOrAfter: lower = "key >= ?2"
        case .after(_, nil): lower = "key > ?2"
        case .after(_, _?): lower = "(key, upload_id) > (?2, ?4)"
        }
        return "SELECT \(uploadColumns) FROM multipart_uploads WHERE bucket = ?1 AND \(lower)"
            + (bounded ? " AND key < ?3" : "") + " ORDER BY key, upload_id"
    }

    // MARK: Rows

    static func uploadRecord(_ statement: SQLiteStatement) throws -> MultipartUploadRecord {
        MultipartUploadRecord(
            uploadID: statement.string(0),
            bucket: statement.string(1),
            key: statement.string(2),
            initiated: Date(timeIntervalSinceReferenceDate: statement.double(3)),
            initiator: statement.optionalString(4),
            checksumAlgorithm: statement.optionalString(5),
            metadata: try statement.withBytes(6) { try ObjectMetadata(jsonBytes: $0) }
        )
    }

    static func partRecord(_ statement: SQLiteStatement) -> PartRecord {
        PartRecord(
            partNumber: Int(statement.int64(0)),
            size: statement.int64(1),
            etag: statement.string(2),
            lastModified: Date(timeIntervalSinceReferenceDate: statement.double(3)),
            blobID: statement.string(4),
            checksum: statement.optionalString(5)
        )
    }

    static func bucketExists(_ bucket: String, _ connection: SQLiteConnection) throws -> Bool {
        try connection.withStatement("SELECT 1 FROM buckets WHERE name = ?1") { statement in
            try statement.bind(1, text: bucket)
            return try statement.step()
        }
    }

    private static func uploadExists(_ uploadID: String, bucket: String, key: String, _ connection: SQLiteConnection) throws -> Bool {
        try connection.withStatement(
            "SELECT 1 FROM multipart_uploads WHERE upload_id = ?1 AND bucket = ?2 AND key = ?3"
        ) { statement in
            try statement.bind(1, text: uploadID)
            try statement.bind(2, text: bucket)
            try statement.bind(3, utf8Blob: key)
            return try statement.step()
        }
    }

    private static func deleteUpload(_ uploadID: String, _ connection: SQLiteConnection) throws {
        // The parts go by ON DELETE CASCADE.
        try connection.withStatement("DELETE FROM multipart_uploads WHERE upload_id = ?1") { statement in
            try statement.bind(1, text: uploadID)
            try statement.run()
        }
    }
}
