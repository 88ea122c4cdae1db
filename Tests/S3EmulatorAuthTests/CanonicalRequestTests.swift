import Foundation
@testable import S3EmulatorAuth
import XCTest

/// The canonical request as S3 builds it: the path encoded once and not normalized, the query
/// decoded (`+` is a space), re-encoded and sorted, header values trimmed and folded.
final class CanonicalRequestTests: XCTestCase {
    func testCanonicalURI() {
        let cases: [(raw: String, canonical: String)] = [
            ("", "/"),
            ("/", "/"),
            ("/test-bucket/a%20b/a+b", "/test-bucket/a%20b/a%2Bb"),
            ("/test-bucket/%c3%bc/%E4%B8%AD", "/test-bucket/%C3%BC/%E4%B8%AD"),
            ("/test-bucket/ü/中", "/test-bucket/%C3%BC/%E4%B8%AD"),
            ("/test-bucket/!*'()~=&:@$,;", "/test-bucket/%21%2A%27%28%29~%3D%26%3A%40%24%2C%3B"),
            ("/test-bucket/%21%2A%27%28%29%7E%3D%26%3A", "/test-bucket/%21%2A%27%28%29~%3D%26%3A"),
            ("/test-bucket/100%25/100%", "/test-bucket/100%25/100%25"),
            ("/test-bucket/%zz%4", "/test-bucket/%25zz%254"),
            ("/test-bucket//a//b/", "/test-bucket//a//b/"),
            ("/a/../b/./c", "/a/../b/./c"),
            ("/a%2Fb/c", "/a%2Fb/c"),
            ("/test%24file.text", "/test%24file.text"),
            ("/test$file.text", "/test%24file.text"),
            ("/%5B%5D%7B%7D^|`\\", "/%5B%5D%7B%7D%5E%7C%60%5C"),
        ]
        for (raw, canonical) in cases {
            XCTAssertEqual(CanonicalRequest.canonicalURI(raw), canonical, raw)
        }
    }

    func testCanonicalQuery() {
        let cases: [(raw: String?, canonical: String)] = [
            (nil, ""),
            ("", ""),
            ("b=2&a=1", "a=1&b=2"),
            ("a=2&a=1&a=&A=3", "A=3&a=&a=1&a=2"),
            ("acl&b=", "acl=&b="),
            ("a=b+c&d=e%2Bf&g=%20", "a=b%20c&d=e%2Bf&g=%20"),
            // The order is that of the names, then the values; not that of the pairs as text.
            ("k=1&k-x=2&k.y=3&k0=4", "k=1&k-x=2&k.y=3&k0=4"),
            ("k=%c3%bc~!*'()&l=a=b&m=a:b/c", "k=%C3%BC~%21%2A%27%28%29&l=a%3Db&m=a%3Ab%2Fc"),
            ("%zz=1&&x", "%25zz=1&x="),
            ("prefix=photos%2F2006%2F&delimiter=%2F", "delimiter=%2F&prefix=photos%2F2006%2F"),
        ]
        for (raw, canonical) in cases {
            XCTAssertEqual(
                CanonicalRequest.canonicalQuery(raw, excludingSignatureParameter: false), canonical, raw ?? "nil")
        }
    }

    func testPresignedCanonicalQueryLeavesOutTheSignatureInAnyLetterCase() {
        for name in ["X-Amz-Signature", "x-amz-signature", "X-AMZ-SIGNATURE"] {
            XCTAssertEqual(
                CanonicalRequest.canonicalQuery("b=1&\(name)=abc&a=2", excludingSignatureParameter: true), "a=2&b=1", name)
        }
        XCTAssertEqual(
            CanonicalRequest.canonicalQuery("b=1&X-Amz-Signature=abc", excludingSignatureParameter: false),
            "X-Amz-Signature=abc&b=1")
    }

    func testCanonicalHeaderValue() {
        let cases: [(String, String)] = [
            ("  a   b \t c  ", "a b c"),
            ("", ""),
            ("   ", ""),
            ("a\t\tb", "a b"),
            ("bytes=0-9", "bytes=0-9"),
            ("\"quoted  value\"", "\"quoted value\""),
        ]
        for (value, canonical) in cases {
            XCTAssertEqual(CanonicalRequest.canonicalHeaderValue(value), canonical, value)
        }
    }

    func testRepeatedHeadersJoinWithCommasAndMissingSignedHeadersAreEmpty() {
        let head = AuthRequestHead(
            method: "GET", rawPath: "/",
            headers: [("host", "h"), ("x-amz-meta-a", " 1 "), ("x-amz-meta-b", "2"), ("x-amz-meta-a", "3  4")])
        let canonical = CanonicalRequest(
            head: head, signedHeaders: ["host", "x-amz-meta-a", "x-amz-meta-c"], payloadHash: "UNSIGNED-PAYLOAD",
            excludingSignatureParameter: false
        ).text
        XCTAssertEqual(
            canonical,
            "GET\n/\n\nhost:h\nx-amz-meta-a:1,3 4\nx-amz-meta-c:\n\nhost;x-amz-meta-a;x-amz-meta-c\nUNSIGNED-PAYLOAD")
    }
}
