import Foundation
@testable import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Signature Version 4 in the Authorization header: each refusal S3 answers with, from the
/// AWS "GET Object" example (signed at 2013-05-24T00:00:00Z) changed in one way.
final class HeaderAuthenticationTests: XCTestCase {
    static let example = AWSDocumentationExampleTests.signedHead(AWSDocumentationExampleTests.headerExamples[0])
    static let signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    static let authorization = example.headers.first { $0.name == "authorization" }!.value

    static func malformed(_ detail: String, details: [(String, String)] = []) -> ExpectedError {
        ExpectedError(.authorizationHeaderMalformed, "The authorization header is malformed; \(detail)", details: details)
    }

    static let noDate = ExpectedError(.accessDenied, "AWS authentication requires a valid Date or x-amz-date header")

    static func notSigned(_ names: String) -> ExpectedError {
        ExpectedError(
            .accessDenied, "There were headers present in the request which were not signed",
            details: [("HeadersNotSigned", names)])
    }

    static let refusals: [(name: String, head: AuthRequestHead, expected: ExpectedError)] = [
        ("a presigned URL's parameters as well", example.with(rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256"),
         ExpectedError(
            .invalidArgument,
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            details: [("ArgumentName", "Authorization"), ("ArgumentValue", authorization)])),
        ("Signature Version 2 query parameters as well", example.with(rawQuery: "AWSAccessKeyId=a&Signature=b&Expires=1"),
         ExpectedError(
            .invalidArgument,
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            details: [("ArgumentName", "Authorization"), ("ArgumentValue", authorization)])),
        ("the Bearer scheme", example.with(header: "authorization", "Bearer token"),
         ExpectedError(
            .invalidArgument, "Unsupported Authorization Type",
            details: [("ArgumentName", "Authorization"), ("ArgumentValue", "Bearer token")])),
        ("Signature Version 4A", example.editingAuthorization("AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 "),
         ExpectedError(
            .notImplemented,
            "Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported by s3emu; sign with AWS4-HMAC-SHA256.")),
        ("no Credential", example.editingAuthorization("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,", ""),
         malformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")),
        ("no SignedHeaders", example.editingAuthorization("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,", ""),
         malformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")),
        ("no Signature", example.editingAuthorization(",Signature=\(signature)", ""),
         malformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")),
        ("a component without a value", example.editingAuthorization(",Signature=", ",Signature,x="),
         malformed("the authorization component \"Signature\" is malformed.")),
        ("a credential of four parts", example.editingAuthorization("/us-east-1/", "/"),
         malformed("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")),
        ("a scope date of seven digits", example.editingAuthorization("/20130524/", "/2013052/"),
         malformed("incorrect date format \"2013052\". This date in the credential must be in the format \"yyyyMMdd\".")),
        ("a scope date that is no date", example.editingAuthorization("/20130524/", "/20131324/"),
         malformed("incorrect date format \"20131324\". This date in the credential must be in the format \"yyyyMMdd\".")),
        ("another region", example.editingAuthorization("/us-east-1/", "/eu-west-1/"),
         malformed("the region 'eu-west-1' is wrong; expecting 'us-east-1'", details: [("Region", "us-east-1")])),
        ("another service", example.editingAuthorization("/s3/", "/ec2/"),
         malformed("incorrect service \"ec2\". This endpoint belongs to \"s3\".")),
        ("another terminator", example.editingAuthorization("aws4_request", "aws4_reques"),
         malformed("incorrect terminal \"aws4_reques\". This endpoint uses \"aws4_request\".")),
        ("a scope date that is not the date of the request", example.editingAuthorization("/20130524/", "/20130523/"),
         malformed("Invalid credential date. Date is not the same as X-Amz-Date.")),
        ("a session token", example.with(header: "x-amz-security-token", "FQoGZXIvYXdzE"),
         ExpectedError(.invalidToken, details: [("Token-0", "FQoGZXIvYXdzE")])),
        ("no x-amz-content-sha256", example.with(header: "x-amz-content-sha256", nil),
         ExpectedError(.invalidRequest, "Missing required header for this request: x-amz-content-sha256")),
        ("an x-amz-content-sha256 that is not a hash", example.with(header: "x-amz-content-sha256", "e3b0c442"),
         ExpectedError(
            .invalidArgument,
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
            details: [("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", "e3b0c442")])),
        ("no x-amz-date and no Date", example.with(header: "x-amz-date", nil), noDate),
        ("an x-amz-date in another format", example.with(header: "x-amz-date", "2013-05-24T00:00:00Z"), noDate),
        ("an x-amz-date that is no date", example.with(header: "x-amz-date", "20130532T000000Z"), noDate),
        ("an unknown access key", example.editingAuthorization("AKIAIOSFODNN7EXAMPLE", "AKIAUNKNOWN"),
         ExpectedError(.invalidAccessKeyId, details: [("AWSAccessKeyId", "AKIAUNKNOWN")])),
        ("an x-amz-* header that is not signed", example.with(header: "x-amz-meta-color", "red"),
         notSigned("x-amz-meta-color")),
        ("host not signed", example.editingAuthorization("SignedHeaders=host;", "SignedHeaders="),
         notSigned("host")),
        ("host and two x-amz-* headers not signed",
         example.editingAuthorization("SignedHeaders=host;", "SignedHeaders=").with(header: "x-amz-acl", "private")
            .with(header: "x-amz-meta-a", "1"),
         notSigned("host, x-amz-acl, x-amz-meta-a")),
        ("another value of a signed header", example.with(header: "range", "bytes=0-10"),
         ExpectedError(.signatureDoesNotMatch, details: nil)),
        ("another method", { var head = example; head.method = "HEAD"; return head }(),
         ExpectedError(.signatureDoesNotMatch, details: nil)),
        ("another path", example.with(rawPath: "/test.txt/"), ExpectedError(.signatureDoesNotMatch, details: nil)),
        ("a query", example.with(rawQuery: "versionId=null"), ExpectedError(.signatureDoesNotMatch, details: nil)),
        ("a signature of 63 digits", example.editingAuthorization("Signature=f", "Signature="),
         ExpectedError(.signatureDoesNotMatch, details: nil)),
    ]

    func testRefusals() {
        for refusal in Self.refusals {
            assertThrows(refusal.expected, refusal.name) { () throws(S3Error) in
                try Example.authenticator().authenticate(refusal.head)
            }
        }
    }

    func testSignatureInUppercaseIsAccepted() {
        let head = Self.example.editingAuthorization(Self.signature, Self.signature.uppercased())
        XCTAssertEqual(try? Example.authenticator().authenticate(head).method, .headerV4)
    }

    func testComponentsAreSplitAtCommasWithSpacesAndTabsAroundThemAndEmptyOnesSkipped() {
        let head = Self.example.editingAuthorization(",", " ,\t ,, ")
        XCTAssertNotEqual(head.firstValue("authorization"), Self.example.firstValue("authorization"))
        XCTAssertEqual(try? Example.authenticator().authenticate(head).method, .headerV4)
        // Whitespace inside a value is part of it.
        let spaced = Self.example.editingAuthorization("Signature=", "Signature= ")
        assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil), "a space after Signature=") { () throws(S3Error) in
            try Example.authenticator().authenticate(spaced)
        }
    }

    func testEmptyAuthorizationHeaderIsAnonymous() {
        let head = Self.example.with(header: "authorization", "")
        let result = assertSucceeds { () throws(S3Error) in try Example.authenticator().authenticate(head) }
        XCTAssertEqual(result?.method, .anonymous)
        XCTAssertNil(result?.credential)
    }

    func testSignatureWithAnotherSecretShowsWhatTheServerSigned() {
        let canonical = AWSDocumentationExampleTests.headerExamples[0].canonicalRequest
        let stringToSign =
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        let store = StaticCredentialStore([
            Credential(accessKeyId: Example.accessKeyId, secretAccessKey: "wrong", principal: "root")
        ])
        let authenticator = SigV4Authenticator(region: "us-east-1", credentials: store, clock: ManualClock(Example.date))
        assertThrows(
            ExpectedError(
                .signatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                details: [
                    ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"), ("StringToSign", stringToSign),
                    ("SignatureProvided", Self.signature),
                    ("StringToSignBytes", "41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a 32 30 31 33 30 35 32 34 54 30 30 30 30 30 30 5a 0a 32 30 31 33 30 35 32 34 2f 75 73 2d 65 61 73 74 2d 31 2f 73 33 2f 61 77 73 34 5f 72 65 71 75 65 73 74 0a 37 33 34 34 61 65 35 62 37 65 65 36 63 33 65 37 65 36 62 30 66 65 30 36 34 30 34 31 32 61 33 37 36 32 35 64 31 66 62 66 66 66 39 35 63 34 38 62 62 62 32 64 63 34 33 39 36 34 39 34 36 39 37 32"),
                    ("CanonicalRequest", canonical), ("CanonicalRequestBytes", spaced(canonical)),
                ])
        ) { () throws(S3Error) in try authenticator.authenticate(Self.example) }
    }

    // MARK: - Time

    static func skewed(_ requestTime: String, serverTime: String) -> ExpectedError {
        ExpectedError(
            .requestTimeTooSkewed, "The difference between the request time and the current time is too large.",
            details: [
                ("RequestTime", requestTime), ("ServerTime", serverTime), ("MaxAllowedSkewMilliseconds", "900000"),
            ])
    }

    func testRequestTimeWithin15MinutesOfTheServerIsAccepted() {
        for offset in [-900.0, -1, 0, 1, 900] {
            let result = assertSucceeds("server at \(offset) s") { () throws(S3Error) in
                try Example.authenticator(at: Example.date.addingTimeInterval(offset)).authenticate(Self.example)
            }
            XCTAssertEqual(result?.signatureAge, offset * 1000)
        }
    }

    func testRequestTimeMoreThan15MinutesFromTheServerIsTooSkewed() {
        assertThrows(Self.skewed("20130524T000000Z", serverTime: "2013-05-24T00:15:01Z"), "server late") {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(901)).authenticate(Self.example)
        }
        assertThrows(Self.skewed("20130524T000000Z", serverTime: "2013-05-23T23:44:59Z"), "server early") {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(-901)).authenticate(Self.example)
        }
    }

    /// S3 looks at the access key and the signature before it looks at the time.
    func testSkewedRequestWithBadSignatureIsSignatureDoesNotMatch() {
        let head = Self.example.editingAuthorization("Signature=f0", "Signature=00")
        assertThrows(ExpectedError(.signatureDoesNotMatch, details: nil)) { () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(3600)).authenticate(head)
        }
    }

    /// Signed with only the Date header (no x-amz-date); the signature was computed with
    /// Python's hmac from the Signature Version 4 specification.
    static let dateOnly = AuthRequestHead(
        method: "GET", rawPath: "/test.txt",
        headers: [
            ("host", "examplebucket.s3.amazonaws.com"), ("date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-content-sha256", Example.emptySHA256),
            ("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256,Signature=f51e643fca75b7c8fd918b44dd7f5de20a60f46a456fd2170e1e8248a77144e1"),
        ])

    func testDateHeaderWithoutXAmzDateIsTheRequestTime() {
        XCTAssertEqual(try? Example.authenticator().authenticate(Self.dateOnly).method, .headerV4)
        assertThrows(Self.skewed("Fri, 24 May 2013 00:00:00 GMT", serverTime: "2013-05-24T01:00:00Z")) {
            () throws(S3Error) in
            try Example.authenticator(at: Example.date.addingTimeInterval(3600)).authenticate(Self.dateOnly)
        }
        assertThrows(Self.noDate) { () throws(S3Error) in
            try Example.authenticator().authenticate(Self.dateOnly.with(header: "date", "yesterday"))
        }
    }

    // MARK: - Payload modes

    func testPayloadModesOfXAmzContentSHA256() throws {
        let cases: [(String, PayloadMode)] = [
            ("UNSIGNED-PAYLOAD", .unsignedPayload),
            ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", .streamingSigned),
            ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", .streamingSignedTrailer),
            ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", .streamingUnsignedTrailer),
            (Example.emptySHA256.uppercased(), .sha256(Example.emptySHA256)),
        ]
        // Anonymous requests carry the mode too; signed ones verify it before it matters.
        for (value, mode) in cases where mode != .streamingSigned && mode != .streamingSignedTrailer {
            let head = AuthRequestHead(
                method: "PUT", rawPath: "/b/k",
                headers: [("host", "h"), ("x-amz-content-sha256", value), ("x-amz-decoded-content-length", "3")])
            XCTAssertEqual(try Example.authenticator().authenticate(head).payload, mode, value)
        }
    }

    func testStreamingPayloadWithoutDecodedContentLengthIsMissingContentLength() {
        let head = AuthRequestHead(
            method: "PUT", rawPath: "/b/k",
            headers: [("host", "h"), ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")])
        assertThrows(ExpectedError(.missingContentLength, "You must provide the Content-Length HTTP header.")) {
            () throws(S3Error) in try Example.authenticator().authenticate(head)
        }
    }

    /// A signed streaming request without `x-amz-decoded-content-length` (signature computed
    /// with Python's hmac from the specification).
    func testSignedStreamingRequestWithoutDecodedContentLengthIsMissingContentLength() {
        let head = AuthRequestHead(
            method: "PUT", rawPath: "/examplebucket/key",
            headers: [
                ("host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=6e7dbbb73471066ddd70bfc8282dbf780ff123d6e87fc72a315661d854b6cb57"),
            ])
        assertThrows(ExpectedError(.missingContentLength, "You must provide the Content-Length HTTP header.")) {
            () throws(S3Error) in try Example.authenticator().authenticate(head)
        }
        assertThrows(Self.notSigned("x-amz-decoded-content-length"), "added but not signed") { () throws(S3Error) in
            try Example.authenticator().authenticate(head.with(header: "x-amz-decoded-content-length", "5"))
        }
    }

    func testSigningKeyIsDerivedOncePerSecretDateRegionAndService() throws {
        let authenticator = Example.authenticator()
        for _ in 0..<100 {
            _ = try authenticator.authenticate(Self.example)
        }
        XCTAssertEqual(authenticator.signingKeys.count, 1)
        _ = try authenticator.authenticate(AWSDocumentationExampleTests.presignedHead)
        XCTAssertEqual(authenticator.signingKeys.count, 1, "the same key, date, region and service")
    }

    func testSigningKeyCacheIsBounded() {
        let cache = SigningKeyCache(capacity: 3)
        for day in 10...30 {
            _ = cache.signingKey(secret: "s", date: "201305\(day)", region: "us-east-1", service: "s3")
            XCTAssertLessThanOrEqual(cache.count, 3)
        }
        let first = cache.signingKey(secret: "s", date: "20130524", region: "us-east-1", service: "s3")
        XCTAssertEqual(first, cache.signingKey(secret: "s", date: "20130524", region: "us-east-1", service: "s3"))
        XCTAssertNotEqual(first, cache.signingKey(secret: "t", date: "20130524", region: "us-east-1", service: "s3"))
    }

    /// The pre-keyed HMAC of a cached key signs as a fresh HMAC does, every time: each signature
    /// works on its own copy of the keyed state.
    func testACachedSigningKeySignsAsAFreshHMACDoes() {
        let bytes = SigV4.signingKey(secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", date: "20130524", region: "us-east-1", service: "s3")
        let key = SigningKey(bytes)
        let messages = ["", "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" + String(repeating: "0", count: 64), "ключ"]
        for message in messages + messages {
            XCTAssertEqual(key.hexSignature(of: message), SigV4.hexSignature(key: bytes, message: message))
        }
    }

    /// Keys of every length sign as swift-crypto's HMAC does: shorter than a block (a SigV4
    /// signing key is 32 bytes), exactly a block, and longer (hashed first). With RFC 4231's
    /// test case 2 as a fixed point.
    func testASigningKeyOfAnyLengthSignsAsHMACDoes() {
        XCTAssertEqual(
            SigningKey(Array("Jefe".utf8)).hexSignature(of: "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        for length in [0, 1, 32, 63, 64, 65, 131] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            for message in ["", "a", String(repeating: "x", count: 200)] {
                XCTAssertEqual(
                    SigningKey(bytes).hexSignature(of: message), SigV4.hexSignature(key: bytes, message: message), "key of \(length) bytes"
                )
            }
        }
    }
}
