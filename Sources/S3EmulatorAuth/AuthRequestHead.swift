/// The head of an HTTP request, as authentication sees it.
///
/// The server builds it from what it received, before reading any body byte:
///
/// ```swift
/// let head = AuthRequestHead(
///     method: "GET", rawPath: "/examplebucket/my%20photo.jpg", rawQuery: "versionId=3",
///     headers: [("host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z")])
/// ```
public struct AuthRequestHead: Sendable {
    /// The request method, for example `GET`.
    public var method: String
    /// The path of the request target exactly as received: still percent-encoded, not normalized
    /// (`//` and `..` are kept).
    public var rawPath: String
    /// The query of the request target exactly as received, without the `?`; nil when the target has none.
    public var rawQuery: String?
    /// The header fields in received order, names lowercased, duplicates kept. Includes `host`
    /// (rebuilt from the request's authority when the HTTP layer moved it out of the headers).
    public var headers: [(name: String, value: String)]
    /// The bucket named by the `Host` header when the request is virtual-hosted–style
    /// (`examplebucket.s3.amazonaws.com`); nil for path-style requests. Signature Version 2
    /// puts it at the front of its `CanonicalizedResource`; Signature Version 4 does not use it.
    public var virtualHostedBucket: String?

    /// A request head; see the properties for what each value must be.
    public init(
        method: String,
        rawPath: String,
        rawQuery: String? = nil,
        headers: [(name: String, value: String)],
        virtualHostedBucket: String? = nil
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.virtualHostedBucket = virtualHostedBucket
    }

    /// The first value of the header `name` (lowercase), or nil.
    func firstValue(_ name: String) -> String? {
        for header in headers where header.name == name {
            return header.value
        }
        return nil
    }

    /// Whether the request has the header `name` (lowercase).
    func hasHeader(_ name: String) -> Bool {
        headers.contains { $0.name == name }
    }
}
