public import NIOCore

/// Writes a streamed response body.
public protocol S3ResponseBodyWriter: Sendable {
    func write(_ buffer: ByteBuffer) async throws
}

/// A response body: nothing, bytes in memory, or a stream produced by a closure.
public enum S3ResponseBody: Sendable {
    case empty
    case buffer(ByteBuffer)
    /// `length` is the exact number of bytes the closure writes.
    case stream(length: Int64, @Sendable (any S3ResponseBodyWriter) async throws -> Void)

    /// The number of bytes the body will have.
    public var length: Int64 {
        switch self {
        case .empty: 0
        case .buffer(let buffer): Int64(buffer.readableBytes)
        case .stream(let length, _): length
        }
    }
}

/// An HTTP response as s3emu produces it, independent of the HTTP server that sends it.
public struct S3Response: Sendable {
    public var status: Int
    public var headers: S3Headers
    public var body: S3ResponseBody
    /// The S3 error code, when this response is an error.
    public var errorCode: String?

    public init(status: Int, headers: S3Headers = S3Headers(), body: S3ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `text` as UTF-8 with the given content type.
    public static func xml(_ text: String, status: Int = 200, headers: S3Headers = S3Headers()) -> S3Response {
        var headers = headers
        headers.set("content-type", "application/xml")
        return S3Response(status: status, headers: headers, body: .buffer(ByteBuffer(string: text)))
    }
}
