import S3EmulatorCore
import XCTest

final class ETagTests: XCTestCase {
    /// MD5 of the empty string.
    let emptyMD5: [UInt8] = [
        0xD4, 0x1D, 0x8C, 0xD9, 0x8F, 0x00, 0xB2, 0x04, 0xE9, 0x80, 0x09, 0x98, 0xEC, 0xF8, 0x42, 0x7E,
    ]

    func testETagFromMD5IsLowercaseHex() {
        let etag = ETag(md5: emptyMD5)
        XCTAssertEqual(etag.value, "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(etag.quoted, "\"d41d8cd98f00b204e9800998ecf8427e\"")
        XCTAssertEqual(etag.description, etag.quoted)
        XCTAssertNil(etag.partCount)
        XCTAssertEqual(ETag(md5: emptyMD5[...]), etag)
    }

    func testMultipartETagCarriesThePartCount() {
        let etag = ETag(multipartMD5: emptyMD5, partCount: 3)
        XCTAssertEqual(etag.value, "d41d8cd98f00b204e9800998ecf8427e-3")
        XCTAssertEqual(etag.quoted, "\"d41d8cd98f00b204e9800998ecf8427e-3\"")
        XCTAssertEqual(etag.partCount, 3)
    }

    func testUnquotedETagIsKeptAsGiven() {
        let etag = ETag(unquoted: "3858f62230ac3c915f300c664312c11f-9")
        XCTAssertEqual(etag.value, "3858f62230ac3c915f300c664312c11f-9")
        XCTAssertEqual(etag.partCount, 9)
        XCTAssertEqual(ETag(unquoted: "abc-").partCount, nil)
        XCTAssertEqual(ETag(unquoted: "abc-x").partCount, nil)
        XCTAssertEqual(Set([ETag(unquoted: "a"), ETag(unquoted: "a"), ETag(unquoted: "b")]).count, 2)
    }

    func testETagQuotedMatchesConditionalHeaders() {
        let etag = ETag(md5: emptyMD5)
        XCTAssertTrue(ConditionalHeaders.etagMatches(etag.quoted, etag: etag.quoted))
        XCTAssertTrue(ConditionalHeaders.etagMatches(etag.value, etag: etag.quoted))
    }
}
