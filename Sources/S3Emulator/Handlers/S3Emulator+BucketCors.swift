import NIOCore
import S3EmulatorAccess
import S3EmulatorCore

/// Put/Get/DeleteBucketCors: the bucket's `CORSConfiguration`, stored as the XML document
/// GetBucketCors answers with.
extension S3Emulator {
    /// PutBucketCors: replaces the configuration. The body (at most 64 KB) must come with
    /// Content-MD5 or an `x-amz-checksum-*` header; rules are checked as S3 checks them.
    func putBucketCors(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        let headers = context.headers
        let hasChecksum = headers.contains("content-md5") || headers.fields.contains { field in
            field.name.hasPrefix("x-amz-checksum-") && ChecksumAlgorithm(headerName: field.name) != nil
        } || headers.contains("x-amz-sdk-checksum-algorithm")
        guard hasChecksum else {
            throw S3Error(.invalidRequest, message: "Missing required header for this request: Content-MD5")
        }
        let body = try await collectBody(context, limit: CORSConfiguration.maximumDocumentSize)
        let cors = try CORSConfiguration(parsing: body.readableBytesView)
        try await setBucketConfiguration(bucket, name: BucketSettings.Name.cors, value: cors.xml)
        return S3Response(status: 200)
    }

    /// GetBucketCors: the configuration, or 404 NoSuchCORSConfiguration.
    func getBucketCors(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        guard let cors = bucketSettings(bucket).cors else {
            throw S3Error(.noSuchCORSConfiguration, details: [("BucketName", bucket)])
        }
        return .xml(cors.xml)
    }

    /// DeleteBucketCors: 204, whether or not the bucket had a configuration.
    func deleteBucketCors(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.cors, value: nil)
        return S3Response(status: 204)
    }
}
