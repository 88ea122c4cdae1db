import S3EmulatorCore
import XCTest

final class HTTPWhitespaceTests: XCTestCase {
    func testSpacesAndTabsAreTrimmedAtBothEndsOnly() {
        XCTAssertEqual(" \t a b \t".trimmingHTTPWhitespace(), "a b")
        XCTAssertEqual("a".trimmingHTTPWhitespace(), "a")
        XCTAssertEqual("".trimmingHTTPWhitespace(), "")
        XCTAssertEqual(" \t ".trimmingHTTPWhitespace(), "")
        XCTAssertEqual("x=1, y".split(separator: ",").map { $0.trimmingHTTPWhitespace() }, ["x=1", "y"])
    }

    func testOtherWhitespaceIsKept() {
        XCTAssertEqual("\r\na\n".trimmingHTTPWhitespace(), "\r\na\n")
        XCTAssertEqual("\u{A0}a\u{A0}".trimmingHTTPWhitespace(), "\u{A0}a\u{A0}", "no-break space is not HTTP whitespace")
    }

    func testTextOutsideASCIIKeepsWholeCharacters() {
        XCTAssertEqual(" é ".trimmingHTTPWhitespace(), "é")
        XCTAssertEqual("\té🙂".trimmingHTTPWhitespace(), "é🙂")
        XCTAssertEqual(" e\u{301} ".trimmingHTTPWhitespace(), "e\u{301}")
    }
}
