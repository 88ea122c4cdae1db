/// The outcome of ``MetadataStore/putPart(uploadID:bucket:key:_:)``.
public enum PutPartResult: Sendable, Equatable {
    /// The part was recorded. `replacedBlobID` is the blob of the part it replaced (same part
    /// number), which the caller now removes.
    case stored(replacedBlobID: String?)
    /// No such upload for that bucket and key (never created, completed or aborted); the caller
    /// removes its new blob.
    case noSuchUpload
}
