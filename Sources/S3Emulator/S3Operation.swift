/// An S3 API operation, named as in the Amazon S3 API reference.
public enum S3Operation: String, Sendable, CaseIterable {
    // Service
    case listBuckets = "ListBuckets"
    // Buckets
    case createBucket = "CreateBucket"
    case headBucket = "HeadBucket"
    case deleteBucket = "DeleteBucket"
    case getBucketLocation = "GetBucketLocation"
    case listObjects = "ListObjects"
    case listObjectsV2 = "ListObjectsV2"
    case deleteObjects = "DeleteObjects"
    case getBucketPolicy = "GetBucketPolicy"
    case putBucketPolicy = "PutBucketPolicy"
    case deleteBucketPolicy = "DeleteBucketPolicy"
    case getBucketPolicyStatus = "GetBucketPolicyStatus"
    case getPublicAccessBlock = "GetPublicAccessBlock"
    case putPublicAccessBlock = "PutPublicAccessBlock"
    case deletePublicAccessBlock = "DeletePublicAccessBlock"
    case getBucketOwnershipControls = "GetBucketOwnershipControls"
    case putBucketOwnershipControls = "PutBucketOwnershipControls"
    case deleteBucketOwnershipControls = "DeleteBucketOwnershipControls"
    case getBucketAcl = "GetBucketAcl"
    case listObjectVersions = "ListObjectVersions"
    case getBucketVersioning = "GetBucketVersioning"
    case putBucketVersioning = "PutBucketVersioning"
    case getBucketTagging = "GetBucketTagging"
    case putBucketTagging = "PutBucketTagging"
    case deleteBucketTagging = "DeleteBucketTagging"
    case putBucketAcl = "PutBucketAcl"
    // Objects
    case putObject = "PutObject"
    case getObject = "GetObject"
    case headObject = "HeadObject"
    case deleteObject = "DeleteObject"
    case copyObject = "CopyObject"
    case getObjectAcl = "GetObjectAcl"
    case getObjectTagging = "GetObjectTagging"
    case putObjectTagging = "PutObjectTagging"
    case deleteObjectTagging = "DeleteObjectTagging"
    case putObjectAcl = "PutObjectAcl"
    // Multipart uploads
    case createMultipartUpload = "CreateMultipartUpload"
    case uploadPart = "UploadPart"
    case uploadPartCopy = "UploadPartCopy"
    case completeMultipartUpload = "CompleteMultipartUpload"
    case abortMultipartUpload = "AbortMultipartUpload"
    case listParts = "ListParts"
    case listMultipartUploads = "ListMultipartUploads"
    // Browser uploads and CORS
    case postObject = "PostObject"
    case getBucketCors = "GetBucketCors"
    case putBucketCors = "PutBucketCors"
    case deleteBucketCors = "DeleteBucketCors"
    /// A CORS preflight (`OPTIONS` on a bucket or object), answered before authentication.
    case corsPreflight = "CORSPreflight"
    /// A request s3emu recognizes but does not implement: answered with NotImplemented.
    case notImplemented = "NotImplemented"
}

/// Sub-resources S3 recognizes in the query string. A request naming one s3emu does not
/// implement gets NotImplemented, never a wrong success.
enum S3SubResource {
    static let all: Set<String> = [
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
        "inventory", "legal-hold", "lifecycle", "location", "logging", "metadataConfiguration", "metadataTable",
        "metrics", "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus",
        "publicAccessBlock", "rename", "replication", "requestPayment", "restore", "retention", "select",
        "session", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    ]

    /// Whether a query parameter's name, as UTF-8, is a sub-resource. Every sub-resource starts
    /// with a lowercase letter, so a presigned URL's `X-Amz-*` parameters are passed over without
    /// a String or a hash each.
    static func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = name.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return all.contains(String(decoding: name, as: UTF8.self))
    }
}
