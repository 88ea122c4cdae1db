import Foundation

/// One uploaded part of a multipart upload.
public struct PartRecord: Sendable, Equatable {
    /// 1 to 10 000.
    public var partNumber: Int
    /// The part's size in bytes.
    public var size: Int64
    /// The part's entity tag, unquoted (the hex MD5 of its bytes).
    public var etag: String
    /// When the part was uploaded.
    public var lastModified: Date
    /// The ``BlobStore`` blob holding the part's bytes.
    public var blobID: String
    /// The part's checksum (base64) in the upload's algorithm, if it has one.
    public var checksum: String?

    /// A part record with every field given.
    public init(partNumber: Int, size: Int64, etag: String, lastModified: Date, blobID: String, checksum: String? = nil) {
        self.partNumber = partNumber
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.blobID = blobID
        self.checksum = checksum
    }
}
