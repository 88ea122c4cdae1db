import Foundation

/// A multipart upload in progress: what CreateMultipartUpload was given, kept until the upload
/// is completed or aborted.
public struct MultipartUploadRecord: Sendable, Equatable {
    /// The upload id (see ``makeUploadID(initiated:)``).
    public var uploadID: String
    /// The bucket the object will live in.
    public var bucket: String
    /// The key the object will have.
    public var key: String
    /// When the upload was created (kept losslessly).
    public var initiated: Date
    /// Who created it (the server's principal name), if known.
    public var initiator: String?
    /// The checksum algorithm the parts carry (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`), if any.
    public var checksumAlgorithm: String?
    /// The object's metadata, given at creation: content headers, user metadata, storage class,
    /// ACL and the checksum type (`COMPOSITE` or `FULL_OBJECT`) in ``ObjectMetadata/checksumType``.
    public var metadata: ObjectMetadata

    /// An upload record with every field given.
    public init(
        uploadID: String,
        bucket: String,
        key: String,
        initiated: Date,
        initiator: String? = nil,
        checksumAlgorithm: String? = nil,
        metadata: ObjectMetadata = ObjectMetadata()
    ) {
        self.uploadID = uploadID
        self.bucket = bucket
        self.key = key
        self.initiated = initiated
        self.initiator = initiator
        self.checksumAlgorithm = checksumAlgorithm
        self.metadata = metadata
    }

    /// A new upload id: the initiation time in milliseconds (12 hex digits) then 128 random
    /// bits, so that ids sort by initiation time, which is the order S3 lists uploads of a key in.
    ///
    /// ```swift
    /// MultipartUploadRecord.makeUploadID(initiated: Date())  // "018f3a6c2b10" + 32 hex digits
    /// ```
    public static func makeUploadID(initiated: Date) -> String {
        BlobID.millisecondsHex(initiated) + BlobID.random()
    }
}
