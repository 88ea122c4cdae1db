/// The outcome of ``MetadataStore/completeMultipartUpload(uploadID:object:parts:precondition:)``.
public enum CompleteMultipartUploadResult: Sendable, Equatable {
    /// The object row is committed and the upload is gone. The caller removes `replacedBlobID`
    /// (the object it replaced) and `discardedBlobIDs` (uploaded parts the object does not use);
    /// `versionID` is the new object's `x-amz-version-id` (see ``PutObjectResult``).
    case completed(replacedBlobID: String?, discardedBlobIDs: [String], versionID: String?)
    /// No such upload for that bucket and key.
    case noSuchUpload
    /// A part was uploaded again (or is gone) since the caller read it; nothing changed. Read
    /// the parts again and retry.
    case partsChanged
    /// The ``WritePrecondition`` did not hold; nothing changed.
    case preconditionFailed
}
