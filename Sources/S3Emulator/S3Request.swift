import NIOCore

/// An HTTP request as s3emu sees it, independent of the HTTP server that received it.
///
/// Paths and queries are kept exactly as received (still percent-encoded), because
/// Signature Version 4 signs those bytes.
public struct S3Request: Sendable {
    /// The method, upper-case (`GET`, `PUT`, …).
    public var method: String
    /// The path as received, still percent-encoded, never normalized.
    public var rawPath: String
    /// The query string as received, without `?`; nil when the URL has none.
    public var rawQuery: String?
    /// The `Host` header (the request authority), with its port.
    public var host: String?
    public var headers: S3Headers
    public var body: S3RequestBody
    /// The client's IP address, for `aws:SourceIp`.
    public var remoteAddress: String?
    /// True when the request came over TLS, for `aws:SecureTransport`.
    public var isSecure: Bool

    public init(
        method: String,
        rawPath: String,
        rawQuery: String? = nil,
        host: String? = nil,
        headers: S3Headers = S3Headers(),
        body: S3RequestBody = S3RequestBody(),
        remoteAddress: String? = nil,
        isSecure: Bool = false
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.host = host
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
    }
}
