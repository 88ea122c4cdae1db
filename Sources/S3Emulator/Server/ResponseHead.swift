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
        // Each field is read in place, as bytes: iterating the fields copied each one's two
        // strings, twice, which was most of the head's reference counting. The head is written
        // into the buffer's memory in one pass (a ByteBuffer write per piece checked and grew it
        // each time).
        headers.fields.withUnsafeBufferPointer { fields in
            let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
            // The status line's frame, Date, Server, a length and the blank line take under 128 bytes.
            var headSize = 128 + reason.utf8.count + date.utf8.count
            for index in fields.indices {
                headSize += fields[index].name.utf8.count + fields[index].value.utf8.count + 4
            }
            var buffer = allocator.buffer(capacity: headSize + reservingBody)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: headSize) { target in
                var out = ByteWriter(target.bindMemory(to: UInt8.self))
                out.append("HTTP/1.1 ")
                out.appendDecimal(Int64(status))
                out.append(UInt8(ascii: " "))
                out.append(reason)
                out.append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
                var hasLength = false
                for index in fields.indices {
                    URIEncoding.withUTF8(fields[index].name) { name in
                        switch FieldRole(name) {
                        case .own:
                            return  // s3emu's own, below
                        case .length:
                            guard contentLength != nil else { return }  // a response without a body has no framing
                            hasLength = true
                        case .transferEncoding:
                            return  // a length frames every body
                        case .other:
                            var hasUppercase = false
                            guard HTTPFieldSanitizer.isToken(name, hasUppercase: &hasUppercase) else { return }
                        }
                        URIEncoding.withUTF8(fields[index].value) { value in
                            if HTTPFieldSanitizer.isLegalValue(value) {
                                out.appendField(name, value)
                            } else {
                                let legal = HTTPFieldSanitizer.legalValue(String(decoding: value, as: UTF8.self))
                                URIEncoding.withUTF8(legal) { out.appendField(name, $0) }
                            }
                        }
                    }
                }
                out.append("Date: ")
                out.append(date)
                out.append("\r\nServer: AmazonS3\r\n")
                if let contentLength, !hasLength {
                    out.append("content-length: ")
                    out.appendDecimal(contentLength)
                    out.append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
                }
                out.append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
                return out.count
            }
            return buffer
        }
    }

    /// `HTTP/1.1 100 Continue`.
    static let continueHead = ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")

    /// The answer to bytes that are not HTTP.
    static let badRequest = ByteBuffer(staticString: "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
}

/// What a response field's (lowercase) name is to the head.
private enum FieldRole {
    /// `Date` or `Server`: s3emu writes its own.
    case own
    case length
    case transferEncoding
    case other

    init(_ name: UnsafeBufferPointer<UInt8>) {
        func equals(_ literal: StaticString) -> Bool { name.elementsEqual(literal.utf8Bytes) }
        switch name.count {
        case 4 where equals("date"), 6 where equals("server"): self = .own
        case 14 where equals("content-length"): self = .length
        case 17 where equals("transfer-encoding"): self = .transferEncoding
        default: self = .other
        }
    }
}

extension ByteWriter {
    /// `name: value\r\n`.
    fileprivate mutating func appendField(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        append(name)
        append(UInt8(ascii: ":"), UInt8(ascii: " "))
        append(value)
        append(UInt8(ascii: "\r"), UInt8(ascii: "\n"))
    }
}
