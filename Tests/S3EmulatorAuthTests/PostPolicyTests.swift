import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The POST policy language: what S3 refuses as InvalidPolicyDocument, and how it answers an
/// expired policy, a failed condition, an uncovered field and a file outside
/// `content-length-range`.
final class PostPolicyTests: XCTestCase {
    static let now = Date(timeIntervalSince1970: 1_451_347_200)  // 2015-12-29T00:00:00Z
    static let expiration = "2015-12-30T12:00:00.000Z"

    private func policy(_ conditions: String, expiration: String = PostPolicyTests.expiration) throws -> PostPolicy {
        try PostPolicy(base64: Base64.encode(Array(#"{"expiration": "\#(expiration)", "conditions": [\#(conditions)]}"#.utf8)))
    }

    private func form(_ fields: [(String, String)]) -> PostPolicyForm {
        PostPolicyForm(fields: fields.map { (name: $0.0, value: $0.1) })
    }

    private func assertDenied(
        _ policy: PostPolicy, _ form: PostPolicyForm, bucket: String = "photos", now: Date = PostPolicyTests.now, message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try policy.check(form, bucket: bucket, now: now), file: file, line: line) { error in
            let error = error as? S3Error
            XCTAssertEqual(error?.code.code, "AccessDenied", file: file, line: line)
            XCTAssertEqual(error?.code.status, 403, file: file, line: line)
            XCTAssertEqual(error?.message, message, file: file, line: line)
        }
    }

    // MARK: - Expiration

    func testPolicyExpired() throws {
        let policy = try policy(#"{"bucket": "photos"}"#, expiration: "2015-12-29T00:00:00Z")
        assertDenied(policy, form([]), message: "Invalid according to Policy: Policy expired.")
        XCTAssertNoThrow(try policy.check(form([]), bucket: "photos", now: Self.now.addingTimeInterval(-1)))
    }

    func testExpirationWithAndWithoutMilliseconds() throws {
        XCTAssertEqual(try policy("", expiration: "2015-12-29T01:00:00Z").expiration, Self.now.addingTimeInterval(3600))
        XCTAssertEqual(try policy("", expiration: "2015-12-29T01:00:00.000Z").expiration, Self.now.addingTimeInterval(3600))
    }

    // MARK: - Conditions

    func testConditionFailuresNameTheConditionAsS3Quotes() throws {
        let cases: [(conditions: String, fields: [(String, String)], message: String, line: UInt)] = [
            (#"["starts-with", "$Content-Type", "image/"]"#, [("Content-Type", "text/html")],
             #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]"#, #line),
            (#"["starts-with","$key","user/42/"]"#, [("key", "user/43/a")],
             #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/42/"]"#, #line),
            (#"{"key": "a.txt"}"#, [("key", "b.txt")],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a.txt"]"#, #line),
            (#"["eq", "$success_action_redirect", "http://localhost.test/random"]"#, [("success_action_redirect", "http://else")],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_redirect", "http://localhost.test/random"]"#, #line),
            (#"["eq", "success_action_redirect", "http://x"]"#, [("success_action_redirect", "http://x")],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "success_action_redirect", "http://x"]"#, #line),
            (#"{"bucket": "other"}"#, [],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other"]"#, #line),
            (#"["starts-with", "$Content-Type", ""]"#, [],
             #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", ""]"#, #line),
            (#"["eq", "$Content-Disposition", "filename=\"test.png\""]"#, [("Content-Disposition", "inline")],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Disposition", "filename=\"test.png\""]"#, #line),
            (#"["content-length-range", "test", "10"]"#, [],
             #"Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]"#, #line),
            (#"{"success_action_redirect": "http://x"}"#, [("success_action_redirect", "HTTP://x")],
             #"Invalid according to Policy: Policy Condition failed: ["eq", "$success_action_redirect", "http://x"]"#, #line),
        ]
        for (conditions, fields, message, line) in cases {
            assertDenied(try policy(conditions), form(fields), message: message, line: line)
        }
    }

    func testConditionsThatHold() throws {
        let cases: [(conditions: String, fields: [(String, String)], line: UInt)] = [
            (#"{"bucket": "photos"}"#, [], #line),
            (#"["starts-with", "$key", ""]"#, [("key", "anything")], #line),
            (#"["StArTs-WiTh", "$KeY", "foo"]"#, [("kEy", "foo.txt")], #line),
            (#"{"AcL": "private"}"#, [("aCl", "private")], #line),
            (#"["eq", "$x-amz-meta-test-2", "v"]"#, [("x-amz-meta-TEST-2", "v")], #line),
            (#"["starts-with", "$Content-Type", "image/"]"#, [("Content-Type", "image/jpg,image/png,image/gif")], #line),
            (#"["starts-with", "$Content-Type", "image/"]"#, [("Content-Type", "image/jpg, image/png")], #line),
            (#"["starts-with", "$x-amz-meta-list", "a"]"#, [("x-amz-meta-list", "ab,cd")], #line),
            (#"["starts-with", "$key", "\\$foo"]"#, [("key", "\\$foo.txt")], #line),
            (#"["content-length-range", "5", "10"]"#, [], #line),
            (#"{"x-amz-meta-tag": "Ninja,Stallman"}"#, [("x-amz-meta-tag", "Ninja"), ("x-amz-meta-tag", "Stallman")], #line),
        ]
        for (conditions, fields, line) in cases {
            XCTAssertNoThrow(try policy(conditions).check(form(fields), bucket: "photos", now: Self.now), line: line)
        }
    }

    func testContentTypeListsMustStartWithThePrefixEveryOne() throws {
        assertDenied(
            try policy(#"["starts-with", "$Content-Type", "image/"]"#), form([("Content-Type", "image/jpg,text/plain")]),
            message: #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]"#)
        // Other fields are plain strings, commas and all.
        assertDenied(
            try policy(#"["starts-with", "$x-amz-meta-list", "a"]"#), form([("x-amz-meta-list", "b,a")]),
            message: #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-list", "a"]"#)
    }

    // MARK: - Extra input fields

    func testEveryFieldMustBeCoveredByACondition() throws {
        let policy = try policy(#"{"bucket": "photos"}, ["starts-with", "$key", ""]"#)
        assertDenied(policy, form([("key", "k"), ("x-amz-meta-note", "unsigned")]),
                     message: "Invalid according to Policy: Extra input fields: x-amz-meta-note")
        assertDenied(policy, form([("key", "k"), ("zeta", "1"), ("Alpha", "2")]),
                     message: "Invalid according to Policy: Extra input fields: zeta, Alpha")
        assertDenied(policy, form([("key", "k"), ("bucket", "photos"), ("StorageClass", "X")]),
                     message: "Invalid according to Policy: Extra input fields: StorageClass")
        let exempt = form([
            ("key", "k"), ("policy", "…"), ("x-amz-signature", "s"), ("X-Ignore-Flash", "1"), ("x-ignore-", ""),
            ("AWSAccessKeyId", "a"), ("Signature", "s"), ("file", "f"),
        ])
        XCTAssertNoThrow(try policy.check(exempt, bucket: "photos", now: Self.now))
    }

    func testAFailedConditionIsReportedBeforeExtraFields() throws {
        assertDenied(try policy(#"{"key": "a"}"#), form([("key", "b"), ("extra", "1")]),
                     message: #"Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a"]"#)
    }

    // MARK: - content-length-range

    func testContentLengthRangeBoundsAreInclusive() throws {
        let policy = try policy(#"["content-length-range", 5, 10]"#)
        XCTAssertNoThrow(try policy.checkContentLength(5))
        XCTAssertNoThrow(try policy.checkContentLength(10))
        XCTAssertEqual(policy.maximumContentLength, 10)
        XCTAssertThrowsError(try policy.checkContentLength(12)) { error in
            let error = error as? S3Error
            XCTAssertEqual(error?.code.code, "EntityTooLarge")
            XCTAssertEqual(error?.message, "Your proposed upload exceeds the maximum allowed size")
            XCTAssertEqual(error?.details.map(\.name), ["ProposedSize", "MaxSizeAllowed"])
            XCTAssertEqual(error?.details.map(\.value), ["12", "10"])
        }
        XCTAssertThrowsError(try policy.checkContentLength(1)) { error in
            let error = error as? S3Error
            XCTAssertEqual(error?.code.code, "EntityTooSmall")
            XCTAssertEqual(error?.message, "Your proposed upload is smaller than the minimum allowed size")
            XCTAssertEqual(error?.details.map(\.value), ["1", "5"])
        }
        XCTAssertThrowsError(try self.policy(#"["content-length-range", 0, 0]"#).checkContentLength(3))
        XCTAssertNil(try self.policy(#"{"bucket": "b"}"#).maximumContentLength)
    }

    // MARK: - Invalid documents

    func testInvalidPolicyDocuments() {
        let cases: [(json: String, message: String, line: UInt)] = [
            ("not json", "Invalid Policy: Invalid JSON.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [],}"#, "Invalid Policy: Invalid JSON.", #line),
            (#"["expiration"]"#, "Invalid Policy: Invalid JSON.", #line),
            (#"{"conditions": []}"#, "Invalid Policy: Policy missing expiration.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z"}"#, "Invalid Policy: Policy missing conditions.", #line),
            (#"{"EXPIRATION": "2015-12-30T12:00:00Z", "conditions": []}"#, "Invalid Policy: Unexpected: 'expiration'", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "CONDITIONS": []}"#, "Invalid Policy: Unexpected: 'conditions'", #line),
            (#"{"Version": "2012-10-17", "Statement": []}"#, "Invalid Policy: Unexpected: 'version'", #line),
            (#"{"expiration": "2011-09-13T07:52:58+02:00", "conditions": []}"#,
             "Invalid Policy: Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'", #line),
            (#"{"expiration": "2015-10-17 03:15:59 UTC", "conditions": []}"#,
             "Invalid Policy: Invalid 'expiration' value: '2015-10-17 03:15:59 UTC'", #line),
            (#"{"expiration": 1, "conditions": []}"#, "Invalid Policy: Invalid 'expiration' value: '1'", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": {}}"#, "Invalid Policy: Invalid 'conditions' value: must be a List.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [{}]}"#,
             "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [{"bucket": "b", "key": "k"}]}"#,
             "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [{"Content-Length": 6199034}]}"#,
             "Invalid Policy: Invalid Simple-Condition: value must be a string.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [{"success_action_redirect": null}]}"#, "Invalid Policy: Invalid JSON.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [[]]}"#, "Invalid Policy: Invalid Condition: missing operation identifier.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [["ends-with", "$key", "x"]]}"#,
             "Invalid Policy: Invalid Condition: unknown operation 'ends-with'.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [["eq", "$key"]]}"#, "Invalid Policy: Invalid eq: wrong number of arguments.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [["content-length-range", 0]]}"#,
             "Invalid Policy: Invalid content-length-range: wrong number of arguments.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [["content-length-range", 0, 512.0]]}"#, "Invalid Policy: Invalid JSON.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [["content-length-range", -1, 0]]}"#,
             "Invalid Policy: Invalid content-length-range: the bounds must not be negative.", #line),
            (#"{"expiration": "2015-12-30T12:00:00Z", "conditions": ["key"]}"#, "Invalid Policy: Invalid condition test: must be a List or Object.", #line),
        ]
        for (json, message, line) in cases {
            XCTAssertThrowsError(try PostPolicy(base64: Base64.encode(Array(json.utf8))), line: line) { error in
                let error = error as? S3Error
                XCTAssertEqual(error?.code.code, "InvalidPolicyDocument", line: line)
                XCTAssertEqual(error?.code.status, 400, line: line)
                XCTAssertEqual(error?.message, message, line: line)
            }
        }
        XCTAssertThrowsError(try PostPolicy(base64: "not base64!")) { error in
            XCTAssertEqual((error as? S3Error)?.message, "Invalid Policy: invalid Base64 encoding.")
        }
    }

    func testStringsWithEscapesAndUnicodeParse() throws {
        let policy = try policy(#"{"key": "caf\u00e9 \ud83d\ude00 \"q\" \/ \\"}"#)
        XCTAssertNoThrow(try policy.check(form([("key", "café 😀 \"q\" / \\")]), bucket: "b", now: Self.now))
    }

    func testDeeplyNestedJSONIsRefusedWithoutRecursingForever() {
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try PostPolicy(base64: Base64.encode(Array(deep.utf8))))
    }
}
