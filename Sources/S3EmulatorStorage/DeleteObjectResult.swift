/// The outcome of ``MetadataStore/deleteObject(bucket:key:version:)``.
public struct DeleteObjectResult: Sendable, Equatable {
    /// The blob of the version that was removed for good, which the caller now removes.
    public var removedBlobID: String?
    /// What S3 reports as `x-amz-version-id`: the version removed, or the delete marker created
    /// (`"null"` for the null version); `nil` in a bucket that never had versioning.
    public var versionID: String?
    /// `x-amz-delete-marker: true`: a delete marker was created, or the version removed was one.
    public var isDeleteMarker: Bool

    public init(removedBlobID: String? = nil, versionID: String? = nil, isDeleteMarker: Bool = false) {
        self.removedBlobID = removedBlobID
        self.versionID = versionID
        self.isDeleteMarker = isDeleteMarker
    }
}
