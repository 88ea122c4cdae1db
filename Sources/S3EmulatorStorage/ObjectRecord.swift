import Foundation

/// An object's row in the metadata store: where its bytes are and what S3 reports about it.
public struct ObjectRecord: Sendable, Equatable {
    /// The bucket the object lives in.
    public var bucket: String
    /// The object key, any UTF-8 string; it never becomes a file name.
    public var key: String
    /// The object's size in bytes.
    public var size: Int64
    /// The entity tag, unquoted (an MD5 hex digest, or `<hex>-<parts>` for a multipart upload).
    public var etag: String
    /// When the object was last written (kept losslessly).
    public var lastModified: Date
    /// The ``BlobStore`` blob holding the object's bytes.
    public var blobID: String
    /// System and user metadata, checksums, storage class.
    public var metadata: ObjectMetadata
    /// The version id the store assigned when the bucket's versioning was enabled; `nil` for the
    /// `null` version (every object of a bucket that never had versioning).
    public var versionID: String?
    /// True for a delete marker: a version with no bytes (size 0, no blob) that hides the key.
    public var isDeleteMarker: Bool

    /// An object record with every field given; metadata defaults to none.
    public init(
        bucket: String,
        key: String,
        size: Int64,
        etag: String,
        lastModified: Date,
        blobID: String,
        metadata: ObjectMetadata = ObjectMetadata(),
        versionID: String? = nil,
        isDeleteMarker: Bool = false
    ) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.blobID = blobID
        self.metadata = metadata
        self.versionID = versionID
        self.isDeleteMarker = isDeleteMarker
    }
}
