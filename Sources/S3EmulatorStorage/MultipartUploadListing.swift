/// One page of ``MetadataStore/listMultipartUploads(bucket:prefix:delimiter:keyMarker:uploadIDMarker:maxUploads:)``.
public struct MultipartUploadListing: Sendable, Equatable {
    /// Uploads in key order, then initiation order.
    public var uploads: [MultipartUploadRecord] = []
    /// Common prefixes (with a delimiter), in order.
    public var commonPrefixes: [String] = []
    /// True when more entries follow.
    public var isTruncated = false
    /// The key (or common prefix) of the last entry returned: the next page's key marker.
    public var nextKeyMarker: String?
    /// The upload id of the last entry returned when it was an upload: the next page's upload id marker.
    public var nextUploadIDMarker: String?

    /// An empty page.
    public init() {}
}
