/// One page of ListObjectVersions: versions and delete markers in key order, each key's newest
/// first.
public struct VersionListing: Sendable, Equatable {
    /// One version or delete marker of the page.
    public struct Entry: Sendable, Equatable {
        /// The version (``ObjectRecord/isDeleteMarker`` tells a delete marker).
        public var record: ObjectRecord
        /// True for the current version of its key.
        public var isLatest: Bool
    }

    /// The versions and delete markers, in S3's order.
    public var entries: [Entry] = []
    /// The rolled-up `CommonPrefixes`, each ending with the delimiter.
    public var commonPrefixes: [String] = []
    /// True exactly when more entries follow this page.
    public var isTruncated = false
    /// When truncated: the key marker of the next page (the last key or common prefix returned).
    public var nextKeyMarker: String?
    /// When truncated after a version: its id (`"null"` for the null version); `nil` after a
    /// common prefix.
    public var nextVersionIDMarker: String?

    public init() {}
}
