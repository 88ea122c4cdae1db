import XCTest

@testable import S3EmulatorAccess

/// IAM's `*` and `?` wildcards, as actions (case-insensitive) and resources (case-sensitive) use them.
final class WildcardPatternTests: XCTestCase {
    func testMatching() {
        let cases: [(pattern: String, candidate: String, matches: Bool, line: UInt)] = [
            ("*", "", true, #line),
            ("*", "abc", true, #line),
            ("**", "x", true, #line),
            ("", "", true, #line),
            ("", "a", false, #line),
            ("abc", "abc", true, #line),
            ("abc", "abcd", false, #line),
            ("abc", "ab", false, #line),
            ("a*", "abc", true, #line),
            ("a*", "a", true, #line),
            ("a*", "b", false, #line),
            ("*c", "abc", true, #line),
            ("*c", "abcd", false, #line),
            ("a*c", "ac", true, #line),
            ("a*c", "abcbc", true, #line),
            ("a*c", "abcb", false, #line),
            ("a?c", "abc", true, #line),
            ("a?c", "ac", false, #line),
            ("a?c", "abbc", false, #line),
            ("a?c", "aéc", true, #line),
            ("a?c", "a😀c", true, #line),
            ("???", "ab", false, #line),
            ("a*b*c", "aXbYc", true, #line),
            ("a*b*c", "aXcYb", false, #line),
            ("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, #line),
            ("*?", "", false, #line),
            ("*?", "x", true, #line),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", true, #line),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b", false, #line),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/", true, #line),
            ("arn:aws:s3:::b*", "arn:aws:s3:::bucket/k", true, #line),
            ("arn:aws:s3:::*/*", "arn:aws:s3:::b/k", true, #line),
            ("arn:aws:s3:::b/Photos/*", "arn:aws:s3:::b/photos/a", false, #line),
            ("arn:aws:s3:::b/é*", "arn:aws:s3:::b/éa", true, #line),
        ]
        for (pattern, candidate, matches, line) in cases {
            XCTAssertEqual(WildcardPattern(pattern).matches(candidate), matches, "\(pattern) ~ \(candidate)", line: line)
        }
    }

    func testIgnoringCase() {
        XCTAssertTrue(WildcardPattern("s3:get*", ignoringCase: true).matches("s3:GetObject"))
        XCTAssertTrue(WildcardPattern("S3:GETOBJECT", ignoringCase: true).matches("s3:getobject"))
        XCTAssertTrue(WildcardPattern("s3:?utObject", ignoringCase: true).matches("S3:PUTOBJECT"))
        XCTAssertFalse(WildcardPattern("s3:get*", ignoringCase: true).matches("s3:PutObject"))
        XCTAssertFalse(WildcardPattern("s3:get*").matches("s3:GetObject"))
    }

    func testLiteralElementsAreNeverWildcards() {
        let pattern = WildcardPattern(
            elements: [.byte(UInt8(ascii: "a")), .byte(UInt8(ascii: "*")), .anyRun], text: "a${*}*")
        XCTAssertTrue(pattern.matches("a*"))
        XCTAssertTrue(pattern.matches("a*xyz"))
        XCTAssertFalse(pattern.matches("axyz"))
    }

    func testShapes() {
        XCTAssertTrue(WildcardPattern("abc").isLiteral)
        XCTAssertTrue(WildcardPattern("*").matchesEverything)
        XCTAssertFalse(WildcardPattern("a*").isLiteral)
        XCTAssertTrue(WildcardPattern("a?").hasWildcard)
        XCTAssertEqual(WildcardPattern("a*b").description, "a*b")
    }
}
