import Crypto
public import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// Seeding and inspection without HTTP: what test fixtures use to put state in place before a
/// test and to look at it afterwards. Nothing here is authenticated, authorized or logged to
/// ``EmulatorConfiguration/onRequest``; names and keys are validated as S3 validates them.
///
/// ```swift
/// let emulator = try S3Emulator(configuration: EmulatorConfiguration())
/// try await emulator.createBucket("photos")
/// try await emulator.putObject(bucket: "photos", key: "cat.jpg", data: Data([0xFF, 0xD8]), contentType: "image/jpeg")
/// let stored = try await emulator.object(bucket: "photos", key: "cat.jpg")   // stored?.data == Data([0xFF, 0xD8])
/// try await emulator.reset()   // every bucket and object gone; the configuration's buckets back
/// ```
extension S3Emulator {
    /// An object as stored: its bytes and what S3 keeps with them.
    ///
    /// ```swift
    /// if let stored = try await emulator.object(bucket: "photos", key: "cat.jpg") {
    ///     print(stored.data.count, stored.contentType ?? "-", stored.metadata["camera"] ?? "-")
    /// }
    /// ```
    public struct StoredObject: Sendable, Equatable {
        /// The object's bytes.
        ///
        /// ```swift
        /// XCTAssertEqual(stored.data, Data("hello".utf8))
        /// ```
        public var data: Data
        /// User metadata (`x-amz-meta-*`), keys lowercased and without the prefix.
        ///
        /// ```swift
        /// XCTAssertEqual(stored.metadata["camera"], "x100")   // sent as x-amz-meta-Camera: x100
        /// ```
        public var metadata: [String: String]
        /// `Content-Type`, when one was stored.
        ///
        /// ```swift
        /// XCTAssertEqual(stored.contentType, "image/jpeg")
        /// ```
        public var contentType: String?
        /// The ETag as S3 sends it, quoted: `"9b2cf535f27731c974343645a3985328"`.
        ///
        /// ```swift
        /// XCTAssertEqual(stored.etag, response.value(forHTTPHeaderField: "ETag"))
        /// ```
        public var etag: String
        /// Last-Modified, by the emulator's clock.
        ///
        /// ```swift
        /// XCTAssertEqual(stored.lastModified, clock.now())   // with a manual clock
        /// ```
        public var lastModified: Date

        /// An object with the given fields.
        ///
        /// ```swift
        /// let expected = S3Emulator.StoredObject(data: Data("hi".utf8), metadata: [:], contentType: "text/plain",
        ///                                        etag: "\"49f68a5c8493ec2c0bf489821c21fc3b\"", lastModified: Date())
        /// ```
        public init(data: Data, metadata: [String: String], contentType: String?, etag: String, lastModified: Date) {
            self.data = data
            self.metadata = metadata
            self.contentType = contentType
            self.etag = etag
            self.lastModified = lastModified
        }
    }

    /// Creates a bucket as CreateBucket would (owned by the account, created now by the
    /// emulator's clock), in `region` or the emulator's region.
    ///
    /// ```swift
    /// try await emulator.createBucket("photos")
    /// try await emulator.createBucket("archive", region: "eu-west-1")
    /// ```
    /// - Returns: `false` when a bucket of that name already existed (it is left unchanged).
    /// - Throws: ``S3Error`` InvalidBucketName for a name S3 refuses.
    @discardableResult
    public func createBucket(_ name: String, region: String? = nil) async throws -> Bool {
        try BucketName.validate(name)
        let record = BucketRecord(name: name, creationDate: configuration.clock.now(), region: region ?? configuration.region)
        let created = try await store.io { [self] in
            guard try store.metadata.createBucket(record) else { return false }
            try applyNewBucketDefaults(name, objectOwnership: nil)
            return true
        }
        bucketSettingsCache.invalidate(name)
        return created
    }

    /// Stores an object as a PutObject without checksum headers would: the ETag is the MD5 of
    /// `data`, Last-Modified is now by the emulator's clock, an existing object is replaced.
    ///
    /// ```swift
    /// try await emulator.putObject(bucket: "photos", key: "a/b.txt", data: Data("hello".utf8),
    ///                              contentType: "text/plain", metadata: ["owner": "steve"])
    /// ```
    /// - Parameter metadata: user metadata, as the `x-amz-meta-*` headers would carry it (names lowercased).
    /// - Returns: the quoted ETag.
    /// - Throws: ``S3Error`` NoSuchBucket, KeyTooLongError or InvalidArgument for a key S3 refuses.
    @discardableResult
    public func putObject(
        bucket: String, key: String, data: Data, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> String {
        try ObjectKey.validate(key)
        var userMetadata: [String: String] = [:]
        for (name, value) in metadata {
            userMetadata[name.lowercased()] = value
        }
        let etag = ETag(md5: Array(Insecure.MD5.hash(data: data)))
        let record = ObjectRecord(
            bucket: bucket, key: key, size: Int64(data.count), etag: etag.value, lastModified: configuration.clock.now(),
            blobID: "", metadata: ObjectMetadata(contentType: contentType, userMetadata: userMetadata)
        )
        try await store.io { [store] in
            let writer = try store.blobs.makeWriter()
            let blobID: String
            do {
                try data.withUnsafeBytes { try writer.write($0) }
                blobID = try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
            var committed = record
            committed.blobID = blobID
            do {
                try store.commit(committed, precondition: .none)
            } catch {
                store.blobs.remove(blobID)
                throw error
            }
        }
        return etag.quoted
    }

    /// The object under `key` in `bucket` with its bytes, or nil when there is none (or no such bucket).
    ///
    /// ```swift
    /// let stored = try await emulator.object(bucket: "photos", key: "cat.jpg")
    /// XCTAssertEqual(stored?.contentType, "image/jpeg")
    /// ```
    public func object(bucket: String, key: String) async throws -> StoredObject? {
        try await store.io { [store] () throws -> StoredObject? in
            guard let record = try store.metadata.object(bucket: bucket, key: key) else { return nil }
            var data = Data()
            if record.size > 0 {
                let reader = try store.blobs.openReader(record.blobID)
                defer { reader.close() }
                data = Data(count: Int(record.size))
                var filled = 0
                try data.withUnsafeMutableBytes { buffer in
                    while filled < buffer.count {
                        let count = try reader.read(
                            offset: Int64(filled), into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
                        )
                        if count == 0 { break }
                        filled += count
                    }
                }
                data.count = filled
            }
            return StoredObject(
                data: data, metadata: record.metadata.userMetadata, contentType: record.metadata.contentType,
                etag: ETag(unquoted: record.etag).quoted, lastModified: record.lastModified
            )
        }
    }

    /// Empties the emulator: deletes every object, multipart upload and bucket with its settings, then
    /// creates the configuration's buckets again with theirs, as at start, so each test starts
    /// from the same state.
    ///
    /// ```swift
    /// override func tearDown() async throws {
    ///     try await emulator.reset()
    /// }
    /// ```
    public func reset() async throws {
        try await store.io { [self] in
            for bucket in try store.metadata.buckets() {
                for blobID in try store.metadata.removeAllObjects(bucket: bucket.name) {
                    store.blobs.remove(blobID)
                }
                let (result, discarded) = try store.metadata.deleteBucketDiscardingUploads(named: bucket.name)
                for blobID in discarded { store.blobs.remove(blobID) }
                bucketSettingsCache.invalidate(bucket.name)
                if case .notEmpty = result {
                    // An object was written while the bucket was being emptied.
                    throw S3Error(.bucketNotEmpty, message: "reset: bucket \(bucket.name) could not be emptied",
                                  details: [("BucketName", bucket.name)])
                }
            }
            try seedBuckets()
        }
    }
}
