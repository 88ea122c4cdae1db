import NIOCore
import NIOHTTP1
import S3EmulatorCore

/// The bytes of an HTTP/1.1 response head, written straight from an ``S3Response``'s fields
/// into one buffer (a small body can follow in the same buffer), framed as NIO's response
/// encoder frames them: a response that cannot have a body (1xx, 204, 304, an answer to
/// CONNECT) carries no `Content-Length` or `Transfer-Encoding`; every other has a length.
///
/// Each field passes through ``HTTPFieldSanitizer`` (a name that is not a token is dropped, a
/// value loses its control characters); `Date` and `Server` are s3emu's own.
///
/// ```swift
/// var buffer = ResponseHead.bytes(status: 200, headers: headers, contentLength: 1024, date: date,
///                                 allocator: channel.allocator, reservingBody: 1024)
/// buffer.writeImmutableBuffer(body)
/// ```
enum ResponseHead {
    /// - Parameters:
    ///   - contentLength: the body's length, written as `Content-Length` unless the fields have
    ///     one; nil when the response has no body to frame (see above).
    ///   - reservingBody: room to leave after the head for a body written into the same buffer.
    static func bytes(
        status: Int, headers: S3Headers, contentLength: Int64?, date: String, allocator: ByteBufferAllocator,
        reservingBody: Int = 0
    ) -> ByteBuffer {
        // The status line, Date, Server, a length and the blank line take under 128 bytes.
        var size = 128 + date.utf8.count + reservingBody
        for field in headers.fields {
            size += field.name.utf8.count + field.value.utf8.count + 4
        }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        buffer.writeStaticString("\r\n")
        var hasLength = false
        for (name, value) in headers.fields {
            switch name {
            case "date", "server":
                continue  // s3emu's own, below
            case "content-length", "transfer-encoding":
                guard contentLength != nil else { continue }  // a response without a body has no framing
                if name == "transfer-encoding" { continue }  // a length frames every body
                hasLength = true
            default:
                break
            }
            guard HTTPFieldSanitizer.lowercasedToken(name) != nil else { continue }
            buffer.writeField(name, HTTPFieldSanitizer.legalValue(value))
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(date)
        buffer.writeStaticString("\r\nServer: AmazonS3\r\n")
        if let contentLength, !hasLength {
            buffer.writeStaticString("content-length: ")
            buffer.writeString(String(contentLength))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// `HTTP/1.1 100 Continue`.
    static let continueHead = ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")

    /// The answer to bytes that are not HTTP.
    static let badRequest = ByteBuffer(staticString: "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
}

extension ByteBuffer {
    /// Writes `name: value\r\n` with one capacity check and three copies (a response head has
    /// a dozen fields, and four writes each were a quarter of the head's cost).
    fileprivate mutating func writeField(_ name: String, _ value: String) {
        URIEncoding.withUTF8(name) { name in
            URIEncoding.withUTF8(value) { value in
                let count = name.count + value.count + 4
                writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                    var offset = 0
                    func copy(_ bytes: UnsafeRawBufferPointer) {
                        UnsafeMutableRawBufferPointer(rebasing: target[offset...]).copyMemory(from: bytes)
                        offset += bytes.count
                    }
                    copy(UnsafeRawBufferPointer(name))
                    target[offset] = UInt8(ascii: ":")
                    target[offset + 1] = UInt8(ascii: " ")
                    offset += 2
                    copy(UnsafeRawBufferPointer(value))
                    target[offset] = UInt8(ascii: "\r")
                    target[offset + 1] = UInt8(ascii: "\n")
                    return count
                }
            }
        }
    }
}
