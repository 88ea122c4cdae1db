import NIOHTTP1
@testable import S3Emulator
import XCTest

/// Header fields between the wire and s3emu: names are tokens (lowercased), values carry no
/// control characters and no surrounding whitespace.
final class HTTPFieldSanitizerTests: XCTestCase {
    func testRequestFieldsAreLowercasedAndTheFirstHostIsTheAuthority() {
        let headers = HTTPHeaders([
            ("Host", "bucket.localhost:9000"), ("X-Amz-Date", "20130524T000000Z"), ("host", "second.example"),
            ("Bad Name", "dropped"), ("", "dropped"), ("x-amz-meta-ü", "dropped"), ("Content-Type", "text/plain"),
        ])
        let (host, fields) = HTTPFieldSanitizer.requestFields(headers)
        XCTAssertEqual(host, "bucket.localhost:9000")
        XCTAssertEqual(fields.fields.map(\.name), ["x-amz-date", "host", "content-type"])
        XCTAssertEqual(fields["host"], "second.example", "only the first Host is the authority")
    }

    func testValuesLoseSurroundingWhitespaceAndControlCharacters() {
        let cases: [(String, String)] = [
            ("plain value", "plain value"),
            ("  leading", "leading"),
            ("trailing \t", "trailing"),
            ("a\tb", "a\tb"),
            ("a\u{0}b", "a b"),
            ("a\u{7F}b", "a b"),
            ("line\r\nbreak", "line  break"),
            ("\r\ninjected: yes", "injected: yes"),
            ("", ""),
            ("   ", ""),
            ("ünïcödé", "ünïcödé"),
        ]
        for (value, legal) in cases {
            XCTAssertEqual(HTTPFieldSanitizer.legalValue(value), legal, value.debugDescription)
        }
    }

    func testABodyIsAnnouncedByALengthAboveZeroOrATransferEncoding() {
        XCTAssertFalse(HTTPFieldSanitizer.hasBody(HTTPHeaders()))
        XCTAssertFalse(HTTPFieldSanitizer.hasBody(HTTPHeaders([("Content-Length", "0")])))
        XCTAssertTrue(HTTPFieldSanitizer.hasBody(HTTPHeaders([("Content-Length", "5")])))
        XCTAssertTrue(HTTPFieldSanitizer.hasBody(HTTPHeaders([("Transfer-Encoding", "chunked")])))
    }
}
