/// The outcome of ``MetadataStore/deleteBucket(named:)``.
public enum DeleteBucketResult: Sendable, Equatable {
    /// The bucket is gone.
    case deleted
    /// The bucket still holds objects (S3's `BucketNotEmpty`).
    case notEmpty
    /// There was no such bucket (S3's `NoSuchBucket`).
    case noSuchBucket
}
