import XCTest

@testable import S3EmulatorAccess

/// The policy JSON reader keeps what validation needs: member order, duplicate names, number text.
final class PolicyJSONTests: XCTestCase {
    func testParsesValues() throws {
        let json = try PolicyJSON.parse(#" {"a": "x", "b": [1, 2.50, -3e2, true, false, null], "c": {}} "#)
        guard case let .object(members, duplicates) = json else { return XCTFail("\(json)") }
        XCTAssertFalse(duplicates)
        XCTAssertEqual(members.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(json[member: "a"], .string("x"))
        XCTAssertEqual(
            json[member: "b"], .array([.number("1"), .number("2.50"), .number("-3e2"), .bool(true), .bool(false), .null]))
        XCTAssertEqual(json[member: "c"], .object([], duplicateNames: false))
        XCTAssertEqual(PolicyJSON.number("2.50").scalarText, "2.50")
        XCTAssertEqual(PolicyJSON.bool(true).scalarText, "true")
        XCTAssertNil(PolicyJSON.null.scalarText)
    }

    func testDetectsDuplicateNames() throws {
        guard case let .object(members, duplicates) = try PolicyJSON.parse(#"{"Effect":"Allow","Effect":"Deny"}"#) else {
            return XCTFail()
        }
        XCTAssertTrue(duplicates)
        XCTAssertEqual(members.count, 2)
    }

    func testStringEscapes() throws {
        XCTAssertEqual(
            try PolicyJSON.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\n\té😀"))
        XCTAssertEqual(try PolicyJSON.parse(#""${aws:username}""#), .string("${aws:username}"))
        XCTAssertEqual(try PolicyJSON.parse("\"ключ\""), .string("ключ"))
    }

    func testRejectsMalformedText() {
        for text in [
            "", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "01", "1.", "-", "+1", ".5", "1e", #""abc"#,
            "\"a\u{01}b\"", #""\x""#, #""\ud800""#, #""\ud800\u0041""#, "tru", "nul", "{} {}", #"{'a':1}"#,
            #"{"a":1 "b":2}"#, "[1 2]",
        ] {
            XCTAssertThrowsError(try PolicyJSON.parse(text), text)
        }
    }

    func testBoundsNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertThrowsError(try PolicyJSON.parse(deep))
        let fine = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        XCTAssertNoThrow(try PolicyJSON.parse(fine))
    }
}
