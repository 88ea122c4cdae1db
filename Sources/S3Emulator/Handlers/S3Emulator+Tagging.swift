import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// Put/Get/DeleteObjectTagging.
extension S3Emulator {
    func getObjectTagging(_ context: RequestContext) throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let record = try existingObject(bucket: context.bucket, key: context.key, version: version, method: context.request.method)
        return .xml(ObjectTagSet.xml(record.metadata.tags), headers: versionHeaders(record))
    }

    func putObjectTagging(_ context: RequestContext) async throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let record = try existingObject(bucket: context.bucket, key: context.key, version: version, method: context.request.method)
        let body = try await collectBody(context, limit: 64 * 1024)
        let tags = try ObjectTagSet.parse(xml: try XMLParser.parse(body.readableBytesView))
        try await updateObjectMetadata(record) { $0.tags = tags }
        return S3Response(status: 200, headers: versionHeaders(record))
    }

    func deleteObjectTagging(_ context: RequestContext) async throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let record = try existingObject(bucket: context.bucket, key: context.key, version: version, method: context.request.method)
        try await updateObjectMetadata(record) { $0.tags = [:] }
        return S3Response(status: 204, headers: versionHeaders(record))
    }

    // MARK: Bucket tagging

    func getBucketTagging(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        guard let stored = try store.metadata.bucketConfiguration(bucket: context.bucket, name: Self.bucketTaggingConfiguration) else {
            throw S3Error(.noSuchTagSet, details: [("BucketName", context.bucket)])
        }
        return .xml(stored)
    }

    /// PutBucketTagging: up to 50 tags, replacing the bucket's tag set; the body needs Content-MD5.
    func putBucketTagging(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try Self.requireContentChecksum(context.headers)
        let body = try await collectBody(context, limit: 64 * 1024)
        let tags = try ObjectTagSet.parse(xml: try XMLParser.parse(body.readableBytesView), maxTags: ObjectTagSet.maxBucketTags)
        if let reserved = tags.keys.first(where: { $0.lowercased().hasPrefix("aws:") }) {
            throw S3Error(.invalidTag, message: "System tags cannot be added/updated by requester", details: [("TagKey", reserved)])
        }
        try await setBucketConfiguration(context.bucket, name: Self.bucketTaggingConfiguration, value: ObjectTagSet.xml(tags))
        return S3Response(status: 204)
    }

    func deleteBucketTagging(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try await setBucketConfiguration(context.bucket, name: Self.bucketTaggingConfiguration, value: nil)
        return S3Response(status: 204)
    }

    /// The bucket configuration the tag set is stored under (its `<Tagging>` document).
    static let bucketTaggingConfiguration = "tagging"

    private func versionHeaders(_ record: ObjectRecord) -> S3Headers {
        var headers = S3Headers()
        if let versionID = versionIDHeader(record) { headers.append("x-amz-version-id", versionID) }
        return headers
    }

    /// Changes the metadata (tags, ACL) of one object version in place, keeping its blob and
    /// creating no version; re-reads and retries if the version was overwritten meanwhile.
    func updateObjectMetadata(_ record: ObjectRecord, _ change: @escaping @Sendable (inout ObjectMetadata) -> Void) async throws {
        let (bucket, key) = (record.bucket, record.key)
        let version: VersionReference = record.versionID.map { .id($0) } ?? .null
        try await store.io { [store] in
            var current = record
            for _ in 0..<3 {
                var metadata = current.metadata
                change(&metadata)
                if try store.metadata.updateObjectMetadata(
                    bucket: bucket, key: key, versionID: current.versionID, etag: current.etag, metadata: metadata
                ) {
                    return
                }
                guard let reread = try store.metadata.objectVersion(bucket: bucket, key: key, version: version), !reread.isDeleteMarker else {
                    throw S3Error(.noSuchKey, details: [("Key", key)])
                }
                current = reread
            }
            throw S3Error(.conditionalRequestConflict)
        }
    }
}
