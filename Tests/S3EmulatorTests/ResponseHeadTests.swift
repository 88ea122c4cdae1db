import NIOCore
@testable import S3Emulator
import XCTest

/// Response heads as bytes: framed as NIO's encoder frames them, with s3emu's `Date` and
/// `Server`, and no field that could break the head.
final class ResponseHeadTests: XCTestCase {
    private let date = "Sun, 06 Dec 2026 23:26:10 GMT"

    private func head(_ status: Int, _ fields: [(String, String)], contentLength: Int64?) -> String {
        var headers = S3Headers()
        for (name, value) in fields { headers.append(name, value) }
        let buffer = ResponseHead.bytes(
            status: status, headers: headers, contentLength: contentLength, date: date, allocator: ByteBufferAllocator()
        )
        return String(buffer: buffer)
    }

    func testAHeadListsTheFieldsInOrderThenDateServerAndLength() {
        XCTAssertEqual(
            head(200, [("etag", "\"abc\""), ("content-type", "text/plain")], contentLength: 5),
            "HTTP/1.1 200 OK\r\netag: \"abc\"\r\ncontent-type: text/plain\r\nDate: \(date)\r\nServer: AmazonS3\r\ncontent-length: 5\r\n\r\n"
        )
        XCTAssertEqual(
            head(404, [("content-length", "120"), ("date", "stale"), ("server", "other")], contentLength: 120),
            "HTTP/1.1 404 Not Found\r\ncontent-length: 120\r\nDate: \(date)\r\nServer: AmazonS3\r\n\r\n",
            "a length of its own is kept in its place; Date and Server are s3emu's"
        )
        XCTAssertEqual(
            head(206, [("transfer-encoding", "chunked")], contentLength: 10),
            "HTTP/1.1 206 Partial Content\r\nDate: \(date)\r\nServer: AmazonS3\r\ncontent-length: 10\r\n\r\n",
            "a length frames every body"
        )
    }

    func testAResponseWithoutABodyHasNoFraming() {
        XCTAssertEqual(
            head(304, [("etag", "\"abc\""), ("content-length", "3")], contentLength: nil),
            "HTTP/1.1 304 Not Modified\r\netag: \"abc\"\r\nDate: \(date)\r\nServer: AmazonS3\r\n\r\n"
        )
        XCTAssertEqual(head(204, [], contentLength: nil), "HTTP/1.1 204 No Content\r\nDate: \(date)\r\nServer: AmazonS3\r\n\r\n")
    }

    func testNoFieldCanBreakTheHead() {
        XCTAssertEqual(
            head(200, [("x-amz-meta-note", "a\r\nSet-Cookie: evil=1"), ("bad name", "dropped"), ("x-ok", " padded ")], contentLength: 0),
            "HTTP/1.1 200 OK\r\nx-amz-meta-note: a  Set-Cookie: evil=1\r\nx-ok: padded\r\nDate: \(date)\r\nServer: AmazonS3\r\ncontent-length: 0\r\n\r\n"
        )
    }
}
