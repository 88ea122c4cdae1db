import Foundation
import S3EmulatorCore
import XCTest

final class ConditionalHeadersTests: XCTestCase {
    let etag = "\"9b2cf535f27731c974343645a3985328\""
    /// 2024-01-01T12:00:00.750Z: a fraction, to prove the comparison is at whole seconds.
    let lastModified = Date(timeIntervalSince1970: 1_704_110_400.75)
    let before = "Mon, 01 Jan 2024 11:00:00 GMT"
    let same = "Mon, 01 Jan 2024 12:00:00 GMT"
    let after = "Mon, 01 Jan 2024 13:00:00 GMT"
    let otherETag = "\"0c78aef83f66abc1fa1e8477f296d394\""

    private func evaluate(
        ifMatch: String? = nil, ifNoneMatch: String? = nil, ifModifiedSince: String? = nil,
        ifUnmodifiedSince: String? = nil, read: Bool = true
    ) -> ConditionalOutcome {
        ConditionalHeaders(
            ifMatch: ifMatch, ifNoneMatch: ifNoneMatch, ifModifiedSince: ifModifiedSince,
            ifUnmodifiedSince: ifUnmodifiedSince
        ).evaluate(etag: etag, lastModified: lastModified, isReadRequest: read)
    }

    func testNoConditionsProceed() {
        XCTAssertEqual(evaluate(), .proceed)
        XCTAssertTrue(ConditionalHeaders().isEmpty)
        XCTAssertFalse(ConditionalHeaders(ifMatch: "*").isEmpty)
    }

    func testGetObjectWithIfMatch() {
        XCTAssertEqual(evaluate(ifMatch: etag), .proceed)
        XCTAssertEqual(evaluate(ifMatch: "*"), .proceed)
        XCTAssertEqual(evaluate(ifMatch: otherETag), .preconditionFailed)
    }

    func testGetObjectWithIfUnmodifiedSince() {
        XCTAssertEqual(evaluate(ifUnmodifiedSince: after), .proceed)
        XCTAssertEqual(evaluate(ifUnmodifiedSince: same), .proceed, "same second is not a modification")
        XCTAssertEqual(evaluate(ifUnmodifiedSince: before), .preconditionFailed)
    }

    func testGetObjectWithIfNoneMatch() {
        XCTAssertEqual(evaluate(ifNoneMatch: etag), .notModified)
        XCTAssertEqual(evaluate(ifNoneMatch: "*"), .notModified)
        XCTAssertEqual(evaluate(ifNoneMatch: otherETag), .proceed)
    }

    func testGetObjectWithIfModifiedSince() {
        XCTAssertEqual(evaluate(ifModifiedSince: before), .proceed)
        XCTAssertEqual(evaluate(ifModifiedSince: same), .notModified, "same second is not a modification")
        XCTAssertEqual(evaluate(ifModifiedSince: after), .notModified)
    }

    /// S3: "If both of the If-Match and If-Unmodified-Since headers are present in the request
    /// as follows: If-Match condition evaluates to true, and; If-Unmodified-Since condition
    /// evaluates to false; then, S3 returns 200 OK and the data requested."
    func testGetObjectWithIfMatchTrueAndIfUnmodifiedSinceFalseReturns200() {
        XCTAssertEqual(evaluate(ifMatch: etag, ifUnmodifiedSince: before), .proceed)
    }

    /// S3: "If both of the If-None-Match and If-Modified-Since headers are present in the
    /// request as follows: If-None-Match condition evaluates to false, and; If-Modified-Since
    /// condition evaluates to true; then, S3 returns 304 Not Modified status code."
    func testGetObjectWithIfNoneMatchFalseAndIfModifiedSinceTrueReturns304() {
        XCTAssertEqual(evaluate(ifNoneMatch: etag, ifModifiedSince: before), .notModified)
    }

    func testPrecedenceTable() {
        struct Row {
            let ifMatch: String?
            let ifNoneMatch: String?
            let ifModifiedSince: String?
            let ifUnmodifiedSince: String?
            let read: ConditionalOutcome
            let write: ConditionalOutcome
            let line: UInt
        }
        let rows = [
            Row(ifMatch: etag, ifNoneMatch: nil, ifModifiedSince: nil, ifUnmodifiedSince: after, read: .proceed, write: .proceed, line: #line),
            Row(ifMatch: otherETag, ifNoneMatch: nil, ifModifiedSince: nil, ifUnmodifiedSince: after, read: .preconditionFailed, write: .preconditionFailed, line: #line),
            Row(ifMatch: otherETag, ifNoneMatch: etag, ifModifiedSince: nil, ifUnmodifiedSince: nil, read: .preconditionFailed, write: .preconditionFailed, line: #line),
            Row(ifMatch: etag, ifNoneMatch: etag, ifModifiedSince: nil, ifUnmodifiedSince: nil, read: .notModified, write: .preconditionFailed, line: #line),
            Row(ifMatch: etag, ifNoneMatch: otherETag, ifModifiedSince: nil, ifUnmodifiedSince: nil, read: .proceed, write: .proceed, line: #line),
            Row(ifMatch: nil, ifNoneMatch: nil, ifModifiedSince: after, ifUnmodifiedSince: before, read: .preconditionFailed, write: .preconditionFailed, line: #line),
            Row(ifMatch: nil, ifNoneMatch: nil, ifModifiedSince: after, ifUnmodifiedSince: after, read: .notModified, write: .preconditionFailed, line: #line),
            Row(ifMatch: nil, ifNoneMatch: nil, ifModifiedSince: before, ifUnmodifiedSince: after, read: .proceed, write: .proceed, line: #line),
            // If-None-Match present: If-Modified-Since is not consulted (RFC 9110 §13.2.2).
            Row(ifMatch: nil, ifNoneMatch: otherETag, ifModifiedSince: after, ifUnmodifiedSince: nil, read: .proceed, write: .proceed, line: #line),
            Row(ifMatch: nil, ifNoneMatch: etag, ifModifiedSince: before, ifUnmodifiedSince: nil, read: .notModified, write: .preconditionFailed, line: #line),
            Row(ifMatch: nil, ifNoneMatch: "*", ifModifiedSince: nil, ifUnmodifiedSince: nil, read: .notModified, write: .preconditionFailed, line: #line),
            Row(ifMatch: etag, ifNoneMatch: otherETag, ifModifiedSince: after, ifUnmodifiedSince: before, read: .proceed, write: .proceed, line: #line),
        ]
        for row in rows {
            XCTAssertEqual(
                evaluate(ifMatch: row.ifMatch, ifNoneMatch: row.ifNoneMatch, ifModifiedSince: row.ifModifiedSince,
                    ifUnmodifiedSince: row.ifUnmodifiedSince, read: true), row.read, "read", line: row.line)
            XCTAssertEqual(
                evaluate(ifMatch: row.ifMatch, ifNoneMatch: row.ifNoneMatch, ifModifiedSince: row.ifModifiedSince,
                    ifUnmodifiedSince: row.ifUnmodifiedSince, read: false), row.write, "write", line: row.line)
        }
    }

    func testPutObjectWithIfNoneMatchStarOnExistingKeyFails() {
        XCTAssertEqual(evaluate(ifNoneMatch: "*", read: false), .preconditionFailed)
    }

    func testInvalidDatesAreIgnored() {
        for garbage in ["garbage", "", "2024-01-01T00:00:00Z", "Mon, 01 Jan 2024 25:00:00 GMT"] {
            XCTAssertEqual(evaluate(ifModifiedSince: garbage), .proceed, garbage)
            XCTAssertEqual(evaluate(ifUnmodifiedSince: garbage), .proceed, garbage)
        }
        XCTAssertEqual(evaluate(ifNoneMatch: otherETag, ifModifiedSince: "garbage"), .proceed)
    }

    func testOtherHTTPDateFormsAreAccepted() {
        XCTAssertEqual(evaluate(ifModifiedSince: "Monday, 01-Jan-24 12:00:00 GMT"), .notModified)
        XCTAssertEqual(evaluate(ifModifiedSince: "Mon Jan  1 11:59:59 2024"), .proceed)
    }

    func testSecondGranularityBoundaries() {
        XCTAssertEqual(evaluate(ifModifiedSince: "Mon, 01 Jan 2024 11:59:59 GMT"), .proceed)
        XCTAssertEqual(evaluate(ifUnmodifiedSince: "Mon, 01 Jan 2024 11:59:59 GMT"), .preconditionFailed)
    }

    func testETagMatching() {
        let cases: [(String, String, Bool)] = [
            ("\"abc\"", "\"abc\"", true),
            ("abc", "\"abc\"", true),
            ("\"abc\"", "abc", true),
            ("abc", "abc", true),
            ("W/\"abc\"", "\"abc\"", true),
            ("*", "\"abc\"", true),
            (" * ", "\"abc\"", true),
            ("\"xyz\", \"abc\"", "\"abc\"", true),
            ("\"xyz\",\"abc\"", "\"abc\"", true),
            ("xyz, abc", "\"abc\"", true),
            ("\"xyz\" , W/\"abc\"", "\"abc\"", true),
            ("  \"abc\"  ", "\"abc\"", true),
            ("\"abc-2\"", "\"abc-2\"", true),
            ("\"xyz\"", "\"abc\"", false),
            ("\"ABC\"", "\"abc\"", false),
            ("\"ab\"", "\"abc\"", false),
            ("\"abcd\"", "\"abc\"", false),
            ("", "\"abc\"", false),
            (",,", "\"abc\"", false),
            ("\"abc", "\"abc\"", true),
            ("\"a,bc\"", "\"a,bc\"", true),
            ("\"xyz\", *", "\"abc\"", true),
        ]
        for (header, etag, expected) in cases {
            XCTAssertEqual(ConditionalHeaders.etagMatches(header, etag: etag), expected, "\(header) vs \(etag)")
        }
    }
}
