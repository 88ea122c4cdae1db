import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// Legacy Signature Version 2: the examples of "Signing and authenticating REST requests" in
/// the Amazon S3 developer guide (bucket `johnsmith`, the example key), whose signatures are AWS's.
final class SignatureV2Tests: XCTestCase {
    struct V2Example {
        var name: String
        var head: AuthRequestHead
        var time: TimeInterval
        var stringToSign: String
    }

    static let examples: [V2Example] = [
        V2Example(
            name: "Object GET",
            head: AuthRequestHead(
                method: "GET", rawPath: "/photos/puppy.jpg",
                headers: [
                    ("host", "johnsmith.s3.amazonaws.com"), ("date", "Tue, 27 Mar 2007 19:36:42 +0000"),
                    ("authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
                ], virtualHostedBucket: "johnsmith"),
            time: 1_175_024_202,
            stringToSign: "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg"),
        V2Example(
            name: "Object PUT",
            head: AuthRequestHead(
                method: "PUT", rawPath: "/photos/puppy.jpg",
                headers: [
                    ("content-type", "image/jpeg"), ("content-length", "94328"), ("host", "johnsmith.s3.amazonaws.com"),
                    ("date", "Tue, 27 Mar 2007 21:15:45 +0000"),
                    ("authorization", "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg="),
                ], virtualHostedBucket: "johnsmith"),
            time: 1_175_030_145,
            stringToSign: "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg"),
        V2Example(
            name: "List",
            head: AuthRequestHead(
                method: "GET", rawPath: "/", rawQuery: "prefix=photos&max-keys=50&marker=puppy",
                headers: [
                    ("user-agent", "Mozilla/5.0"), ("host", "johnsmith.s3.amazonaws.com"),
                    ("date", "Tue, 27 Mar 2007 19:42:41 +0000"),
                    ("authorization", "AWS AKIAIOSFODNN7EXAMPLE:htDYFYduRNen8P9ZfE/s9SuKy0U="),
                ], virtualHostedBucket: "johnsmith"),
            time: 1_175_024_561,
            stringToSign: "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/"),
        V2Example(
            name: "Fetch",
            head: AuthRequestHead(
                method: "GET", rawPath: "/", rawQuery: "acl",
                headers: [
                    ("host", "johnsmith.s3.amazonaws.com"), ("date", "Tue, 27 Mar 2007 19:44:46 +0000"),
                    ("authorization", "AWS AKIAIOSFODNN7EXAMPLE:c2WLPFtWHVgbEmeEG93a4cG37dM="),
                ], virtualHostedBucket: "johnsmith"),
            time: 1_175_024_686,
            stringToSign: "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl"),
        V2Example(
            name: "Upload",
            head: AuthRequestHead(
                method: "PUT", rawPath: "/db-backup.dat.gz",
                headers: [
                    ("user-agent", "curl/7.15.5"), ("host", "static.johnsmith.net:8080"),
                    ("date", "Tue, 27 Mar 2007 21:06:08 +0000"), ("x-amz-acl", "public-read"),
                    ("content-type", "application/x-download"), ("content-md5", "4gJE4saaMU4BqNR0kLY+lw=="),
                    ("x-amz-meta-reviewedby", "joe@johnsmith.net"), ("x-amz-meta-reviewedby", "jane@johnsmith.net"),
                    ("x-amz-meta-filechecksum", "0x02661779"), ("x-amz-meta-checksumalgorithm", "crc32"),
                    ("content-disposition", "attachment; filename=database.dat"), ("content-encoding", "gzip"),
                    ("content-length", "5913339"),
                    ("authorization", "AWS AKIAIOSFODNN7EXAMPLE:ilyl83RwaSoYIEdixDQcA4OnAnc="),
                ], virtualHostedBucket: "static.johnsmith.net"),
            time: 1_175_029_568,
            stringToSign: """
                PUT
                4gJE4saaMU4BqNR0kLY+lw==
                application/x-download
                Tue, 27 Mar 2007 21:06:08 +0000
                x-amz-acl:public-read
                x-amz-meta-checksumalgorithm:crc32
                x-amz-meta-filechecksum:0x02661779
                x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net
                /static.johnsmith.net/db-backup.dat.gz
                """),
    ]

    /// The example key with another secret.
    static let otherSecret = StaticCredentialStore([
        Credential(accessKeyId: Example.accessKeyId, secretAccessKey: "other", principal: "root")
    ])

    func testDocumentationExamplesAuthenticate() {
        for example in Self.examples {
            let result = assertSucceeds(example.name) { () throws(S3Error) in
                try Example.authenticator(at: Date(timeIntervalSince1970: example.time)).authenticate(example.head)
            }
            XCTAssertEqual(result?.method, .headerV2, example.name)
            XCTAssertEqual(result?.payload, PayloadMode.none, example.name)
            XCTAssertEqual(result?.method.signatureVersion, "AWS")
            XCTAssertEqual(result?.method.authType, "REST-HEADER")
        }
    }

    func testDocumentationExamplesStringToSign() {
        for example in Self.examples {
            let signature = String(example.head.headers.first { $0.name == "authorization" }!.value.dropFirst(25))
            assertThrows(
                ExpectedError(
                    .signatureDoesNotMatch,
                    details: [
                        ("AWSAccessKeyId", Example.accessKeyId), ("StringToSign", example.stringToSign),
                        ("SignatureProvided", signature), ("StringToSignBytes", spaced(example.stringToSign)),
                    ]), example.name
            ) { () throws(S3Error) in
                try SigV4Authenticator(
                    region: "us-east-1", credentials: Self.otherSecret,
                    clock: ManualClock(Date(timeIntervalSince1970: example.time))
                ).authenticate(example.head)
            }
        }
    }

    static let query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
    static let queryExample = AuthRequestHead(
        method: "GET", rawPath: "/photos/puppy.jpg", rawQuery: query,
        headers: [("host", "johnsmith.s3.amazonaws.com")], virtualHostedBucket: "johnsmith")

    func testQueryStringExampleAuthenticatesUntilExpires() {
        for time in [1_175_024_202.0, 1_175_139_620] {
            let result = assertSucceeds { () throws(S3Error) in
                try Example.authenticator(at: Date(timeIntervalSince1970: time)).authenticate(Self.queryExample)
            }
            XCTAssertEqual(result?.method, .queryV2)
            XCTAssertEqual(result?.method.authType, "REST-QUERY-STRING")
        }
        assertThrows(
            ExpectedError(
                .accessDenied, "Request has expired",
                details: [("Expires", "2007-03-29T03:40:20Z"), ("ServerTime", "2007-03-29T03:40:21Z")])
        ) { () throws(S3Error) in
            try Example.authenticator(at: Date(timeIntervalSince1970: 1_175_139_621)).authenticate(Self.queryExample)
        }
    }

    static let time = Date(timeIntervalSince1970: 1_175_024_202)
    static let get = examples[0].head

    func testRefusals() {
        let cases: [(String, AuthRequestHead, ExpectedError)] = [
            ("no signature after the key", Self.get.with(header: "authorization", "AWS AKIAIOSFODNN7EXAMPLE"),
             ExpectedError(
                .invalidArgument, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
                details: [("ArgumentName", "Authorization"), ("ArgumentValue", "AWS AKIAIOSFODNN7EXAMPLE")])),
            ("an unknown access key", Self.get.editingAuthorization("AKIAIOSFODNN7EXAMPLE", "AKIAUNKNOWN"),
             ExpectedError(.invalidAccessKeyId, details: [("AWSAccessKeyId", "AKIAUNKNOWN")])),
            ("no Date", Self.get.with(header: "date", nil),
             ExpectedError(.accessDenied, "AWS authentication requires a valid Date or x-amz-date header")),
            ("a session token", Self.get.with(header: "x-amz-security-token", "t"),
             ExpectedError(.invalidToken, details: [("Token-0", "t")])),
            ("another path", Self.get.with(rawPath: "/photos/kitten.jpg"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("a sub-resource", Self.get.with(rawQuery: "versionId=1"), ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("an x-amz-* header", Self.get.with(header: "x-amz-meta-a", "1"),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("query parameters as well", Self.get.with(rawQuery: Self.query),
             ExpectedError(
                .invalidArgument,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
                details: [("ArgumentName", "Authorization"), ("ArgumentValue", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=")])),
            ("a query without Expires", Self.queryExample.with(rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x"),
             ExpectedError(
                .accessDenied,
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")),
            ("a query with another signature", Self.queryExample.with(rawQuery: Self.query.replacingOccurrences(of: "Npg", with: "Mpg")),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
            ("a query for another bucket", { var head = Self.queryExample; head.virtualHostedBucket = "jane"; return head }(),
             ExpectedError(.signatureDoesNotMatch, details: nil)),
        ]
        for (name, head, expected) in cases {
            assertThrows(expected, name) { () throws(S3Error) in try Example.authenticator(at: Self.time).authenticate(head) }
        }
    }

    func testRequestTimeMoreThan15MinutesFromTheServerIsTooSkewed() {
        XCTAssertNotNil(try? Example.authenticator(at: Self.time.addingTimeInterval(900)).authenticate(Self.get))
        assertThrows(
            ExpectedError(
                .requestTimeTooSkewed, "The difference between the request time and the current time is too large.",
                details: [
                    ("RequestTime", "Tue, 27 Mar 2007 19:36:42 +0000"), ("ServerTime", "2007-03-27T19:51:43Z"),
                    ("MaxAllowedSkewMilliseconds", "900000"),
                ])
        ) { () throws(S3Error) in try Example.authenticator(at: Self.time.addingTimeInterval(901)).authenticate(Self.get) }
    }

    func testSignatureVersion2CanBeRefusedAsNewerRegionsDo() {
        let refused = ExpectedError(
            .invalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
        for head in [Self.get, Self.queryExample] {
            assertThrows(refused) { () throws(S3Error) in
                try Example.authenticator(at: Self.time, acceptsSignatureVersion2: false).authenticate(head)
            }
        }
    }
}
