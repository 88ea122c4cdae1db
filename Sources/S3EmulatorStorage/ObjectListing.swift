/// One page of a ListObjects / ListObjectsV2 listing, in UTF-8 binary key order.
public struct ObjectListing: Sendable, Equatable {
    /// The objects (`Contents`) in this page.
    public var objects: [ObjectRecord]
    /// The rolled-up `CommonPrefixes` in this page, each ending with the delimiter.
    public var commonPrefixes: [String]
    /// True exactly when more entries follow this page.
    public var isTruncated: Bool
    /// The last key or common prefix in this page (the next page's marker / continuation point),
    /// `nil` for an empty page.
    public var lastReturned: String?

    /// A page; the defaults make an empty, untruncated page.
    public init(objects: [ObjectRecord] = [], commonPrefixes: [String] = [], isTruncated: Bool = false, lastReturned: String? = nil) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.lastReturned = lastReturned
    }
}
