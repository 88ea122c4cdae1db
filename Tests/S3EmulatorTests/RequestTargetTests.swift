@testable import S3Emulator
import XCTest

/// The raw path and query of a request target, still encoded, as SigV4 signs them.
final class RequestTargetTests: XCTestCase {
    func testOriginFormSplitsAtTheFirstQuestionMark() {
        let cases: [(target: String, path: String, query: String?)] = [
            ("/", "/", nil),
            ("/bucket/key", "/bucket/key", nil),
            ("/bucket/my%20key?versionId=3", "/bucket/my%20key", "versionId=3"),
            ("/bucket?uploads", "/bucket", "uploads"),
            ("/bucket?", "/bucket", ""),
            ("/b/k?a=1?b=2", "/b/k", "a=1?b=2"),
            ("/b/k?a=1#fragment", "/b/k", "a=1"),
            ("/b/k#not-a-fragment-in-a-path", "/b/k#not-a-fragment-in-a-path", nil),
            ("//double//slashes/../kept", "//double//slashes/../kept", nil),
            ("/ü/中?x=日", "/ü/中", "x=日"),
        ]
        assertSplits(cases)
    }

    func testAbsoluteFormKeepsOnlyThePathAndQuery() {
        let cases: [(target: String, path: String, query: String?)] = [
            ("http://s3.example.com/bucket/key?acl", "/bucket/key", "acl"),
            ("http://s3.example.com:9000/bucket", "/bucket", nil),
            ("https://bucket.s3.example.com", "/", nil),
            ("http://s3.example.com?list-type=2", "/", "list-type=2"),
        ]
        assertSplits(cases)
    }

    func testOtherFormsAreAPathAsTheyStand() {
        XCTAssertEqual(RequestTarget.split("*").path, "*")
        XCTAssertEqual(RequestTarget.split("bucket/key?x").path, "bucket/key")
        XCTAssertEqual(RequestTarget.split("bucket/key?x").query, "x")
        XCTAssertEqual(RequestTarget.split("").path, "/")
    }

    private func assertSplits(_ cases: [(target: String, path: String, query: String?)], line: UInt = #line) {
        for (target, path, query) in cases {
            let split = RequestTarget.split(target)
            XCTAssertEqual(split.path, path, target, line: line)
            XCTAssertEqual(split.query, query, target, line: line)
        }
    }
}
