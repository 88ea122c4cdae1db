import Crypto
import Foundation
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// The signature of a POST form: AWS's worked example and botocore's `generate_presigned_post`
/// output (both reproduced independently), Signature Version 2, and every refusal.
final class PostPolicySignatureTests: XCTestCase {
    /// 2015-12-29T00:00:00Z, the date of AWS's POST example.
    static let date = Date(timeIntervalSince1970: 1_451_347_200)
    static let credential = "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"

    /// The base64 policy of AWS's "Example: Browser-based upload using HTTP POST (using AWS
    /// Signature Version 4)", CRLF line ends included.
    static let awsExamplePolicy =
        "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
    static let awsExampleSignature = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"

    /// botocore's `generate_presigned_post("sigv4examplebucket", "user/user1/photo.jpg")` with the
    /// example keys at 2015-12-29T00:00:00Z.
    static let botocorePolicy =
        "eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMjlUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAic2lndjRleGFtcGxlYnVja2V0In0sIHsia2V5IjogInVzZXIvdXNlcjEvcGhvdG8uanBnIn0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSUFJT1NGT0ROTjdFWEFNUExFLzIwMTUxMjI5L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMTUxMjI5VDAwMDAwMFoifV19"
    static let botocoreSignature = "3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6"

    static func authenticator(at date: Date = PostPolicySignatureTests.date, acceptsSignatureVersion2: Bool = true) -> SigV4Authenticator {
        Example.authenticator(at: date, acceptsSignatureVersion2: acceptsSignatureVersion2)
    }

    /// The AWS example's form, as its page sends it (capitalized names, the key expanded).
    static func awsExampleForm(signature: String = awsExampleSignature, policy: String = awsExamplePolicy) -> PostPolicyForm {
        PostPolicyForm(fields: [
            ("key", "user/user1/photo.jpg"), ("acl", "public-read"),
            ("success_action_redirect", "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"),
            ("Content-Type", "image/jpeg"), ("x-amz-meta-uuid", "14365123651274"), ("x-amz-server-side-encryption", "AES256"),
            ("X-Amz-Credential", credential), ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Date", "20151229T000000Z"),
            ("x-amz-meta-tag", ""), ("Policy", policy), ("X-Amz-Signature", signature),
        ])
    }

    func testAWSBrowserUploadExampleVerifiesAndPasses() throws {
        let result = try Self.authenticator().authenticatePost(Self.awsExampleForm())
        XCTAssertEqual(result.credential?.accessKeyId, Example.accessKeyId)
        XCTAssertEqual(result.signatureVersion, "AWS4-HMAC-SHA256")
        XCTAssertEqual(result.signatureAge, 0)
        let policy = try XCTUnwrap(result.policy)
        XCTAssertEqual(policy.conditions.count, 11)
        XCTAssertEqual(policy.expiration, Date(timeIntervalSince1970: 1_451_476_800))
        XCTAssertNoThrow(try policy.check(Self.awsExampleForm(), bucket: "sigv4examplebucket", now: Self.date))
    }

    func testBotocorePresignedPostVerifies() throws {
        let form = PostPolicyForm(fields: [
            ("key", "user/user1/photo.jpg"), ("x-amz-algorithm", "AWS4-HMAC-SHA256"), ("x-amz-credential", Self.credential),
            ("x-amz-date", "20151229T000000Z"), ("policy", Self.botocorePolicy), ("x-amz-signature", Self.botocoreSignature),
        ])
        let result = try Self.authenticator().authenticatePost(form)
        XCTAssertNoThrow(try result.policy?.check(form, bucket: "sigv4examplebucket", now: Self.date))
        XCTAssertThrowsError(try result.policy?.check(form, bucket: "sigv4examplebucket", now: Self.date.addingTimeInterval(3600)))
    }

    func testPostPolicyBuilderReproducesBotocore() {
        let signer = SigV4Signer(accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let form = PostPolicyBuilder(signer: signer).presignedPost(
            bucket: "sigv4examplebucket", key: "user/user1/photo.jpg", expiresIn: 3600, date: Self.date)
        XCTAssertEqual(form["policy"], Self.botocorePolicy)
        XCTAssertEqual(form["x-amz-signature"], Self.botocoreSignature)
        XCTAssertEqual(form.fields.map(\.name), ["key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"])
    }

    func testPostPolicyBuilderFormsPassTheirOwnPolicy() throws {
        let signer = SigV4Signer(accessKeyId: Example.accessKeyId, secretAccessKey: Example.secretAccessKey, region: "us-east-1")
        let built = PostPolicyBuilder(signer: signer).presignedPost(
            bucket: "photos", key: "uploads/${filename}", expiresIn: 60, date: Self.date,
            fields: [("Content-Type", "image/png"), ("success_action_status", "201")],
            conditions: [.contentLengthRange(1, 1024), .startsWith("x-amz-meta-note", "")])
        var form = PostPolicyForm(fields: built.fields + [("x-amz-meta-note", "hello")])
        form.mapValues { $0.replacingOccurrences(of: "${filename}", with: "cat.png") }
        let result = try Self.authenticator().authenticatePost(form)
        let policy = try XCTUnwrap(result.policy)
        XCTAssertNoThrow(try policy.check(form, bucket: "photos", now: Self.date))
        XCTAssertEqual(policy.maximumContentLength, 1024)
        XCTAssertThrowsError(try policy.check(form, bucket: "other", now: Self.date))
    }

    func testFieldNamesOfTheSignatureAreCaseInsensitive() throws {
        var fields = Self.awsExampleForm().fields.map { (name: $0.name.uppercased(), value: $0.value) }
        fields[0].name = "KEY"
        XCTAssertNotNil(try Self.authenticator().authenticatePost(PostPolicyForm(fields: fields)).credential)
    }

    func testATamperedPolicyDoesNotMatchItsSignature() {
        let tampered = String(Self.awsExamplePolicy.dropLast(4)) + "fQ=="
        XCTAssertThrowsError(try Self.authenticator().authenticatePost(Self.awsExampleForm(policy: tampered))) { error in
            let error = error as? S3Error
            XCTAssertEqual(error?.code.code, "SignatureDoesNotMatch")
            XCTAssertEqual(error?.code.status, 403)
            XCTAssertEqual(error?.details.map(\.name), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"])
            XCTAssertEqual(error?.details[1].value, tampered)
        }
    }

    func testTheSignatureIsCheckedBeforeThePolicyIsDecoded() {
        // A truncated policy is SignatureDoesNotMatch, not InvalidPolicyDocument.
        let truncated = String(Self.awsExamplePolicy.dropLast(2))
        XCTAssertThrowsError(try Self.authenticator().authenticatePost(Self.awsExampleForm(policy: truncated))) { error in
            XCTAssertEqual((error as? S3Error)?.code.code, "SignatureDoesNotMatch")
        }
    }

    func testRefusalsOfSignatureVersion4Forms() {
        let base = Self.awsExampleForm().fields.map { (name: $0.name, value: $0.value) }
        func without(_ name: String) -> PostPolicyForm {
            PostPolicyForm(fields: base.filter { $0.name.lowercased() != name })
        }
        func replacing(_ name: String, _ value: String) -> PostPolicyForm {
            PostPolicyForm(fields: base.map { $0.name.lowercased() == name ? ($0.name, value) : $0 })
        }
        let cases: [(form: PostPolicyForm, code: String, message: String?, argument: String?, line: UInt)] = [
            (without("x-amz-algorithm"), "InvalidArgument",
             "Bucket POST must contain a field named 'X-Amz-Algorithm'.  If it is specified, please check the order of the fields.",
             "X-Amz-Algorithm", #line),
            (without("x-amz-credential"), "InvalidArgument", nil, "X-Amz-Credential", #line),
            (without("x-amz-date"), "InvalidArgument", nil, "X-Amz-Date", #line),
            (without("x-amz-signature"), "InvalidArgument",
             "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.",
             "X-Amz-Signature", #line),
            (without("policy"), "InvalidArgument", nil, "Policy", #line),
            (replacing("x-amz-algorithm", "AWS4-HMAC-SHA1"), "InvalidArgument", nil, "X-Amz-Algorithm", #line),
            (replacing("x-amz-credential", "AKIAIOSFODNN7EXAMPLE/20151229/eu-west-1/s3/aws4_request"), "InvalidArgument",
             "the region 'eu-west-1' is wrong; expecting 'us-east-1'", "X-Amz-Credential", #line),
            (replacing("x-amz-credential", "/20151229/us-east-1/s3/aws4_request"), "InvalidArgument",
             "a non-empty Access Key (AKID) must be provided in the credential.", "X-Amz-Credential", #line),
            (replacing("x-amz-credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3"), "InvalidArgument", nil, "X-Amz-Credential", #line),
            (replacing("x-amz-date", "2015-12-29"), "InvalidArgument", "X-Amz-Date must be formated via ISO8601 Long format", "X-Amz-Date", #line),
            (replacing("x-amz-credential", "AKIANOTAKEY/20151229/us-east-1/s3/aws4_request"), "InvalidAccessKeyId", nil, nil, #line),
            (replacing("x-amz-signature", String(repeating: "0", count: 64)), "SignatureDoesNotMatch", nil, nil, #line),
            (PostPolicyForm(fields: base + [("x-amz-security-token", "FQoGZXIvYXdzE")]), "InvalidToken", nil, nil, #line),
        ]
        for (form, code, message, argument, line) in cases {
            XCTAssertThrowsError(try Self.authenticator().authenticatePost(form), line: line) { error in
                guard let error = error as? S3Error else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(error.code.code, code, error.message, line: line)
                if let message { XCTAssertEqual(error.message, message, line: line) }
                if let argument {
                    XCTAssertEqual(error.details.first { $0.name == "ArgumentName" }?.value, argument, line: line)
                }
            }
        }
    }

    func testSignatureVersion2Forms() throws {
        let policy = Base64.encode(Array(#"{"expiration": "2015-12-30T12:00:00Z", "conditions": [{"bucket": "johnsmith"}, ["starts-with", "$key", ""]]}"#.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Array(policy.utf8), using: SymmetricKey(data: Array(Example.secretAccessKey.utf8)))
        let signature = Base64.encode(Array(mac))
        let form = PostPolicyForm(fields: [
            ("key", "a.txt"), ("AWSAccessKeyId", Example.accessKeyId), ("policy", policy), ("signature", signature),
        ])
        let result = try Self.authenticator().authenticatePost(form)
        XCTAssertEqual(result.signatureVersion, "AWS")
        XCTAssertNoThrow(try result.policy?.check(form, bucket: "johnsmith", now: Self.date))

        let lowercased = PostPolicyForm(fields: form.fields.map { ($0.name.lowercased(), $0.value) })
        XCTAssertNotNil(try Self.authenticator().authenticatePost(lowercased).credential)

        let wrong = PostPolicyForm(fields: [
            ("key", "a.txt"), ("AWSAccessKeyId", Example.accessKeyId), ("policy", policy), ("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        ])
        XCTAssertThrowsError(try Self.authenticator().authenticatePost(wrong)) { error in
            XCTAssertEqual((error as? S3Error)?.code.code, "SignatureDoesNotMatch")
        }
        let missing = PostPolicyForm(fields: [("key", "a.txt"), ("AWSAccessKeyId", Example.accessKeyId), ("policy", policy)])
        XCTAssertThrowsError(try Self.authenticator().authenticatePost(missing)) { error in
            XCTAssertEqual((error as? S3Error)?.details.first?.value, "Signature")
        }
        XCTAssertThrowsError(try Self.authenticator(acceptsSignatureVersion2: false).authenticatePost(form)) { error in
            XCTAssertEqual((error as? S3Error)?.code.code, "InvalidRequest")
        }
    }

    func testAFormWithoutSignatureFieldsIsAnonymous() throws {
        let result = try Self.authenticator().authenticatePost(PostPolicyForm(fields: [("key", "a.txt"), ("acl", "public-read")]))
        XCTAssertNil(result.credential)
        XCTAssertNil(result.policy)
        XCTAssertNil(result.signatureVersion)
        XCTAssertThrowsError(try Self.authenticator().authenticatePost(PostPolicyForm(fields: [("key", "a"), ("x-amz-security-token", "t")]))) { error in
            XCTAssertEqual((error as? S3Error)?.code.code, "InvalidToken")
        }
    }
}
