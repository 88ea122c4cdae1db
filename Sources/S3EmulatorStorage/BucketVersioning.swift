/// A bucket's versioning state, as PutBucketVersioning sets it. A bucket that never had
/// versioning enabled has none (`nil`): every object is its key's only version, the `null` version.
public enum BucketVersioning: String, Sendable, Equatable {
    /// Every write creates a new version with its own id; a delete adds a delete marker.
    case enabled = "Enabled"
    /// Writes and deletes replace the `null` version; other versions are kept.
    case suspended = "Suspended"

    /// The name of the bucket configuration the state is stored under.
    public static let configurationName = "versioning"
}
