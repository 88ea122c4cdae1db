/// The outcome of ``MetadataStore/putObject(_:precondition:)``.
public enum PutObjectResult: Sendable, Equatable {
    /// The row was committed. `replacedBlobID` is the blob of the object it replaced, which the
    /// caller now removes (`nil` when the key was new or the replaced version is kept);
    /// `versionID` is what S3 reports as `x-amz-version-id` (`"null"` in a bucket whose
    /// versioning is suspended, `nil` in one that never had versioning).
    case stored(replacedBlobID: String?, versionID: String?)
    /// The ``WritePrecondition`` did not hold; nothing changed (the caller removes its new blob).
    case preconditionFailed
    /// The bucket does not exist; nothing changed (the caller removes its new blob).
    case noSuchBucket
}
