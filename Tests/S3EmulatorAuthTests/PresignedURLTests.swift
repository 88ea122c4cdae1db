import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Presigned URLs (Signature Version 4 in the query string): the AWS example
/// (`GET /test.txt`, signed at 2013-05-24T00:00:00Z for 86400 seconds) changed in one way.
final class PresignedURLTests: XCTestCase {
    static let example = AWSDocumentationExampleTests.presignedHead
    static let query = AWSDocumentationExampleTests.presignedQuery

    static func replacing(_ target: String, _ replacement: String) -> AuthRequestHead {
        example.with(rawQuery: query.replacingOccurrences(of: target, with: replacement))
    }

    static func removing(_ name: String) -> AuthRequestHead {
        example.with(
            rawQuery: query.split(separator: "&").filter { !$0.hasPrefix(name + "=") }.joined(separator: "&"))
    }

    static func parameters(_ message: String, details: [(String, String)] = []) -> ExpectedError {
        ExpectedError(.authorizationQueryParametersError, message, details: details)
    }

    static let required = ExpectedError(
        .authorizationQueryParametersError,
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
    )

    static let refusals: [(name: String, head: AuthRequestHead, expected: ExpectedError)] =
        ["X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"].map {
            ("no \($0)", removing($0), required)
        } + [
            ("no X-Amz-Algorithm", removing("X-Amz-Algorithm"), required),
            ("another algorithm", replacing("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
             parameters("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")),
            ("an X-Amz-Date in another format", replacing("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
             parameters("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")),
            ("X-Amz-Expires=604801", replacing("X-Amz-Expires=86400", "X-Amz-Expires=604801"),
             parameters(
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
             )),
            ("X-Amz-Expires=-1", replacing("X-Amz-Expires=86400", "X-Amz-Expires=-1"),
             parameters("X-Amz-Expires must be non-negative")),
            ("X-Amz-Expires=1h", replacing("X-Amz-Expires=86400", "X-Amz-Expires=1h"),
             parameters("X-Amz-Expires should be a number")),
            ("a credential of four parts", replacing("%2Fus-east-1%2F", "%2F"),
             parameters(
                "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
             )),
            ("a scope date of seven digits", replacing("%2F20130524%2F", "%2F2013052%2F"),
             parameters(
                "Error parsing the X-Amz-Credential parameter; incorrect date format \"2013052\". This date in the credential must be in the format \"yyyyMMdd\"."
             )),
            ("another region", replacing("%2Fus-east-1%2F", "%2Feu-west-1%2F"),
             parameters(
                "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
                details: [("Region", "us-east-1")])),
            ("another service", replacing("%2Fs3%2F", "%2Fec2%2F"),
             parameters(
                "Error parsing the X-Amz-Credential parameter; incorrect service \"ec2\". This endpoint belongs to \"s3\".")),
            ("another terminator", replacing("aws4_request", "aws4"),
             parameters(
                "Error parsing the X-Amz-Credential parameter; incorrect terminal \"aws4\". This endpoint uses \"aws4_request\".")),
            ("a scope date that is not X-Amz-Date", replacing("%2F20130524%2F", "%2F20130523%2F"),
             parameters("Invalid credential date \"20130523\". This date is not the same as X-Amz-Date: \"20130524\".")),
            ("a session token", example.with(rawQuery: query + "&X-Amz-Security-Token=IQoJb3JpZ2lu%2Bx"),
             ExpectedError(.invalidToken, details: [("Token-0", "IQoJb3JpZ2lu+x")])),
            ("an unknown access key", replacing("AKIAIOSFODNN7EXAMPLE", "AKIAUNKNOWN"),
             ExpectedError(.invalidAccessKeyId, details: [("AWSAccessKeyId", "AKIAUNKNOWN")])),
            ("an Authorization header as well", example.with(header: "authorization", "AWS4-HMAC-SHA256 a"),
             ExpectedError(
                .invalidArgument,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
                details: [("ArgumentName", "Authorization"), ("ArgumentValue", "AWS4-HMAC-SHA256 a")])),
            ("an x-amz-* header that is not signed", example.with(header: "x-amz-meta-size", "1"),
             ExpectedError(
                .accessDenied, "There were headers present in the request which were not signed",
                details: [("HeadersNotSigned", "x-amz-meta-size")])),
            ("another signature", replacing("Signature=aeee", "Signature=beee"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("one more parameter", example.with(rawQuery: query + "&versionId=null"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("another path", example.with(rawPath: "/test.txt2"), ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("another host", example.with(header: "host", "otherbucket.s3.amazonaws.com"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("another X-Amz-Expires", replacing("X-Amz-Expires=86400", "X-Amz-Expires=86401"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
        ]

    func testRefusals() {
        XCTAssertEqual(Self.refusals.count, 26)
        for refusal in Self.refusals {
            assertThrows(refusal.expected, refusal.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(refusal.head)
            }
        }
    }

    static func expired(_ xAmzExpires: String, expires: String, serverTime: String) -> ExpectedError {
        ExpectedError(
            .accessDenied, "Request has expired",
            details: [("X-Amz-Expires", xAmzExpires), ("Expires", expires), ("ServerTime", serverTime)])
    }

    func testValidFromXAmzDateUntilTheEndOfXAmzExpires() {
        for offset in [0.0, 1, 86399, 86400] {
            XCTAssertEqual(
                try? Example.authenticator(at: Example.date.addingTimeInterval(offset)).authenticate(Self.example).method,
                .queryV4, "at \(offset) s")
        }
    }

    func testAfterXAmzExpiresTheRequestHasExpired() {
        assertThrows(Self.expired("86400", expires: "2013-05-25T00:00:00Z", serverTime: "2013-05-25T00:00:00Z")) {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(86400.001)).authenticate(Self.example)
        }
        assertThrows(Self.expired("86400", expires: "2013-05-25T00:00:00Z", serverTime: "2013-06-01T00:00:00Z")) {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(8 * 86400)).authenticate(Self.example)
        }
    }

    /// Signed by Python's hmac from the specification: the example with X-Amz-Expires=0 and
    /// 604800, the shortest and longest validity.
    func testXAmzExpiresBounds() {
        let zero = Self.example.with(
            rawQuery: Self.query.replacingOccurrences(of: "X-Amz-Expires=86400", with: "X-Amz-Expires=0")
                .replacingOccurrences(
                    of: "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
                    with: Self.zeroSignature))
        assertThrows(Self.expired("0", expires: "2013-05-24T00:00:00Z", serverTime: "2013-05-24T00:00:00Z")) {
            () throws(S3Error) in try Example.authenticator().authenticate(zero)
        }
        let week = Self.example.with(
            rawQuery: Self.query.replacingOccurrences(of: "X-Amz-Expires=86400", with: "X-Amz-Expires=604800")
                .replacingOccurrences(
                    of: "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
                    with: Self.weekSignature))
        XCTAssertEqual(
            try? Example.authenticator(at: Example.date.addingTimeInterval(604800)).authenticate(week).method, .queryV4)
        assertThrows(Self.expired("604800", expires: "2013-05-31T00:00:00Z", serverTime: "2013-05-31T00:00:01Z")) {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(604801)).authenticate(week)
        }
    }

    static let zeroSignature = "484f5ec985aad060ba7f07196b086fcab0f67505cba4c4a4fe522ec7b13faad7"
    static let weekSignature = "ac6b6752478f6402474c09fa025d8c8ac0012e84d29a679d5600972fc7a664a4"

    func testMoreThan15MinutesBeforeXAmzDateTheRequestIsNotYetValid() {
        XCTAssertEqual(
            try? Example.authenticator(at: Example.date.addingTimeInterval(-900)).authenticate(Self.example).method,
            .queryV4)
        assertThrows(
            ExpectedError(
                .accessDenied, "Request is not yet valid",
                details: [("X-Amz-Date", "20130524T000000Z"), ("ServerTime", "2013-05-23T23:44:59Z")])
        ) { () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(-901)).authenticate(Self.example)
        }
    }

    /// S3 looks at the access key and the signature before it looks at the time.
    func testExpiredURLWithBadSignatureOrUnknownKeyIsRefusedForThat() {
        let later = Example.authenticator(at: Example.date.addingTimeInterval(90000))
        assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil)) { () throws(S3Error) in
            try later.authenticate(Self.replacing("Signature=aeee", "Signature=0eee"))
        }
        assertThrows(ExpectedError(.invalidAccessKeyId, details: nil)) { () throws(S3Error) in
            try later.authenticate(Self.replacing("AKIAIOSFODNN7EXAMPLE", "AKIAUNKNOWN"))
        }
    }

    func testParameterNamesInAnotherLetterCaseAreFound() {
        let lowercased = Self.example.with(rawQuery: Self.query.replacingOccurrences(of: "X-Amz-Signature", with: "x-amz-signature"))
        XCTAssertEqual(try? Example.authenticator().authenticate(lowercased).method, .queryV4)
    }
}
