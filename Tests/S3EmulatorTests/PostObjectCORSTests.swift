import Crypto
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// CORS for browser uploads: Put/Get/DeleteBucketCors, preflight answered before
/// authentication, and CORS headers on actual responses (errors included) only when a rule
/// matches.
final class PostObjectCORSTests: PostObjectTestCase {
    static let djaveCORS = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
        <CORSRule>
            <AllowedOrigin>*</AllowedOrigin>
            <AllowedMethod>POST</AllowedMethod>
            <AllowedHeader>*</AllowedHeader>
        </CORSRule>
        </CORSConfiguration>
        """#

    static let appCORS = """
        <CORSConfiguration>
          <CORSRule>
            <AllowedOrigin>https://app.example</AllowedOrigin>
            <AllowedMethod>GET</AllowedMethod>
            <AllowedMethod>PUT</AllowedMethod>
            <AllowedHeader>content-type</AllowedHeader>
            <AllowedHeader>x-amz-*</AllowedHeader>
            <ExposeHeader>ETag</ExposeHeader>
            <ExposeHeader>x-amz-request-id</ExposeHeader>
            <MaxAgeSeconds>3000</MaxAgeSeconds>
          </CORSRule>
        </CORSConfiguration>
        """

    override var bucketSeeds: [BucketSeed] {
        [BucketSeed(name: "triage-attachments", cors: [
            CORSRuleSeed(allowedOrigins: ["*"], allowedMethods: ["PUT", "HEAD", "GET", "DELETE"], allowedHeaders: ["*"], exposeHeaders: []),
        ])]
    }

    private func preflight(_ path: String, origin: String?, method: String?, headers: String? = nil) async -> S3Response {
        var fields: [(String, String)] = []
        if let origin { fields.append(("origin", origin)) }
        if let method { fields.append(("access-control-request-method", method)) }
        if let headers { fields.append(("access-control-request-headers", headers)) }
        return await unsigned("OPTIONS", path, headers: fields)
    }

    private func assertNoCORSHeaders(_ response: S3Response, file: StaticString = #filePath, line: UInt = #line) {
        let cors = response.headers.fields.filter { $0.name.hasPrefix("access-control-") || $0.name == "vary" }
        XCTAssertTrue(cors.isEmpty, "\(cors)", file: file, line: line)
    }

    // MARK: - Put/Get/DeleteBucketCors

    func testPutGetAndDeleteBucketCors() async throws {
        let none = await signed("GET", "/photos", query: "cors")
        XCTAssertEqual(none.status, 404)
        XCTAssertEqual(none.errorElement("Code"), "NoSuchCORSConfiguration")
        XCTAssertEqual(none.errorElement("Message"), "The CORS configuration does not exist")
        XCTAssertEqual(none.errorElement("BucketName"), "photos")

        await putBucketCors("photos", Self.appCORS)
        let got = await signed("GET", "/photos", query: "cors")
        XCTAssertEqual(got.status, 200)
        XCTAssertTrue(got.bodyText.contains(
            "<CORSRule><AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://app.example</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-request-id</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>"),
            got.bodyText)

        let deleted = await signed("DELETE", "/photos", query: "cors")
        XCTAssertEqual(deleted.status, 204)
        let again = await signed("DELETE", "/photos", query: "cors")
        XCTAssertEqual(again.status, 204)
        let gone = await signed("GET", "/photos", query: "cors")
        XCTAssertEqual(gone.errorElement("Code"), "NoSuchCORSConfiguration")
    }

    func testPutBucketCorsNeedsAnIntegrityHeaderAndValidRules() async throws {
        let body = Array(Self.appCORS.utf8)
        let noMD5 = await signed("PUT", "/photos", query: "cors", body: body)
        XCTAssertEqual(noMD5.errorElement("Code"), "InvalidRequest")
        XCTAssertEqual(noMD5.errorElement("Message"), "Missing required header for this request: Content-MD5")

        let bad = Array("<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>".utf8)
        var checksum = CRC32()
        checksum.update(bad)
        let crc = Base64.encode(checksum.bigEndianBytes)
        let refused = await signed("PUT", "/photos", query: "cors", headers: [("x-amz-checksum-crc32", crc)], body: bad)
        XCTAssertEqual(refused.status, 400, refused.bodyText)
        XCTAssertEqual(refused.errorElement("Message"), "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")

        let missing = await signed("PUT", "/nope", query: "cors", headers: [("content-md5", "x")], body: body)
        XCTAssertEqual(missing.errorElement("Code"), "NoSuchBucket")
    }

    func testBucketCorsNeedsItsIAMActions() async throws {
        let get = await signed("GET", "/photos", query: "cors", credentials: Self.narrow)
        XCTAssertEqual(get.errorElement("Code"), "NoSuchCORSConfiguration", "steve-narrow has s3:* on the bucket")
        try await emulator.createBucket("elsewhere")
        let denied = await signed("GET", "/elsewhere", query: "cors", credentials: Self.narrow)
        XCTAssertEqual(denied.status, 403)
        XCTAssertTrue(denied.errorElement("Message")?.contains("s3:GetBucketCORS") == true, denied.bodyText)
        let body = Array(Self.appCORS.utf8)
        let md5 = Base64.encode(Array(Insecure.MD5.hash(data: body)))
        let put = await signed("PUT", "/elsewhere", query: "cors", headers: [("content-md5", md5)], body: body, credentials: Self.narrow)
        XCTAssertTrue(put.errorElement("Message")?.contains("s3:PutBucketCORS") == true, put.bodyText)
    }

    // MARK: - Preflight

    func testPreflightMatchingARuleAnswers200WithItsHeaders() async throws {
        await putBucketCors("photos", Self.appCORS)
        let response = await preflight("/photos/uploads/cat.png", origin: "https://app.example", method: "PUT",
                                       headers: "Content-Type,x-amz-date")
        XCTAssertEqual(response.status, 200, response.bodyText)
        XCTAssertEqual(response.headers["access-control-allow-origin"], "https://app.example")
        XCTAssertEqual(response.headers["access-control-allow-methods"], "GET, PUT")
        XCTAssertEqual(response.headers["access-control-allow-headers"], "content-type, x-amz-date")
        XCTAssertEqual(response.headers["access-control-expose-headers"], "ETag, x-amz-request-id")
        XCTAssertEqual(response.headers["access-control-max-age"], "3000")
        XCTAssertEqual(response.headers["access-control-allow-credentials"], "true")
        XCTAssertEqual(response.headers["vary"], "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
        XCTAssertNotNil(response.headers["x-amz-request-id"])
        XCTAssertEqual(response.bodyText, "")
    }

    func testPreflightForAStarRuleAnswersAStarWithoutCredentials() async throws {
        await putBucketCors("photos", Self.djaveCORS)
        let response = await preflight("/photos", origin: "https://anywhere.example", method: "POST", headers: "content-type")
        XCTAssertEqual(response.status, 200, response.bodyText)
        XCTAssertEqual(response.headers["access-control-allow-origin"], "*")
        XCTAssertEqual(response.headers["access-control-allow-methods"], "POST")
        XCTAssertNil(response.headers["access-control-allow-credentials"])
        XCTAssertNil(response.headers["access-control-max-age"])
    }

    func testPreflightThatNoRuleMatchesIs403CORSResponse() async throws {
        await putBucketCors("photos", Self.appCORS)
        let cases: [(path: String, origin: String, method: String, headers: String?, resourceType: String, line: UInt)] = [
            ("/photos/a.png", "https://evil.example", "PUT", nil, "OBJECT", #line),
            ("/photos/a.png", "https://app.example", "DELETE", nil, "OBJECT", #line),
            ("/photos/a.png", "https://app.example", "PUT", "content-type, authorization", "OBJECT", #line),
            ("/photos", "http://app.example", "GET", nil, "BUCKET", #line),
        ]
        for (path, origin, method, headers, resourceType, line) in cases {
            let response = await preflight(path, origin: origin, method: method, headers: headers)
            XCTAssertEqual(response.status, 403, line: line)
            XCTAssertEqual(response.errorElement("Code"), "AccessForbidden", line: line)
            XCTAssertEqual(response.errorElement("Message"),
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
                line: line)
            XCTAssertEqual(response.errorElement("Method"), method, line: line)
            XCTAssertEqual(response.errorElement("ResourceType"), resourceType, line: line)
            assertNoCORSHeaders(response, line: line)
        }
    }

    func testPreflightWithoutOriginOrMethodOrConfiguration() async throws {
        let noConfiguration = await preflight("/photos/a.png", origin: "https://app.example", method: "PUT")
        XCTAssertEqual(noConfiguration.status, 403)
        XCTAssertEqual(noConfiguration.errorElement("Code"), "AccessForbidden")
        XCTAssertEqual(noConfiguration.errorElement("Message"), "CORSResponse: CORS is not enabled for this bucket.")
        XCTAssertEqual(noConfiguration.errorElement("Method"), "PUT")
        XCTAssertEqual(noConfiguration.errorElement("ResourceType"), "BUCKET")

        let noBucket = await preflight("/nope/a.png", origin: "https://app.example", method: "PUT")
        XCTAssertEqual(noBucket.status, 403)
        XCTAssertEqual(noBucket.errorElement("Message"), "CORSResponse: Bucket not found")

        let noOrigin = await preflight("/photos", origin: nil, method: "GET")
        XCTAssertEqual(noOrigin.status, 400)
        XCTAssertEqual(noOrigin.errorElement("Code"), "BadRequest")
        XCTAssertEqual(noOrigin.errorElement("Message"), "Insufficient information. Origin request header needed.")

        let badMethod = await preflight("/photos", origin: "https://app.example", method: "BLAH")
        XCTAssertEqual(badMethod.status, 400)
        XCTAssertEqual(badMethod.errorElement("Message"), "Invalid Access-Control-Request-Method: BLAH")

        await putBucketCors("photos", Self.appCORS)
        let noMethod = await preflight("/photos", origin: "https://app.example", method: nil)
        XCTAssertEqual(noMethod.status, 400)
        XCTAssertEqual(noMethod.errorElement("Message"), "Invalid Access-Control-Request-Method: null")
    }

    func testPreflightNeedsNoAuthenticationAndIgnoresABadSignature() async throws {
        await putBucketCors("photos", Self.appCORS)
        let response = await unsigned("OPTIONS", "/photos/a.png", query: "X-Amz-Signature=bad&X-Amz-Credential=x", headers: [
            ("origin", "https://app.example"), ("access-control-request-method", "GET"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=nobody/20150101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"),
        ])
        XCTAssertEqual(response.status, 200, response.bodyText)
    }

    func testSeededRulesInTheConsoleFormAnswerPreflight() async throws {
        let put = await preflight("/triage-attachments/tickets/42/log.txt", origin: "https://triage.example", method: "PUT", headers: "content-type")
        XCTAssertEqual(put.status, 200, put.bodyText)
        XCTAssertEqual(put.headers["access-control-allow-methods"], "PUT, HEAD, GET, DELETE")
        XCTAssertEqual(put.headers["access-control-allow-origin"], "*")
        let post = await preflight("/triage-attachments/tickets/42/log.txt", origin: "https://triage.example", method: "POST")
        XCTAssertEqual(post.status, 403)
    }

    func testInvalidSeededRulesStopTheEmulatorNamingTheBucket() {
        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "bad-cors", cors: [CORSRuleSeed(allowedOrigins: ["*.*.example"], allowedMethods: ["GET"])])]
        XCTAssertThrowsError(try S3Emulator(configuration: configuration)) { error in
            XCTAssertEqual((error as? S3Error)?.message, #"bucket bad-cors: AllowedOrigin "*.*.example" can not have more than one wildcard."#)
        }
    }

    // MARK: - Actual requests

    func testActualRequestsFromAnAllowedOriginGetTheRuleHeadersErrorsIncluded() async throws {
        await putBucketCors("photos", Self.appCORS)
        _ = await signed("PUT", "/photos/a.txt", body: Array("hello".utf8))
        let ok = await signed("GET", "/photos/a.txt", headers: [("origin", "https://app.example")])
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.headers["access-control-allow-origin"], "https://app.example")
        XCTAssertEqual(ok.headers["access-control-allow-methods"], "GET, PUT")
        XCTAssertEqual(ok.headers["access-control-expose-headers"], "ETag, x-amz-request-id")
        XCTAssertEqual(ok.headers["access-control-allow-credentials"], "true")
        XCTAssertEqual(ok.headers["vary"], "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
        XCTAssertNil(ok.headers["access-control-allow-headers"])

        let missing = await signed("GET", "/photos/nothing.txt", headers: [("origin", "https://app.example")])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.headers["access-control-allow-origin"], "https://app.example")

        let anonymous = await unsigned("GET", "/photos/a.txt", headers: [("origin", "https://app.example")])
        XCTAssertEqual(anonymous.status, 403)
        XCTAssertEqual(anonymous.headers["access-control-allow-origin"], "https://app.example", "an AccessDenied from authorization")
    }

    func testActualRequestsThatNoRuleMatchesGetNoCORSHeaders() async throws {
        await putBucketCors("photos", Self.appCORS)
        _ = await signed("PUT", "/photos/a.txt", body: Array("hello".utf8))
        assertNoCORSHeaders(await signed("GET", "/photos/a.txt", headers: [("origin", "https://evil.example")]))
        assertNoCORSHeaders(await signed("DELETE", "/photos/a.txt", headers: [("origin", "https://app.example")]))
        assertNoCORSHeaders(await signed("GET", "/photos/a.txt"))
        assertNoCORSHeaders(await signed("GET", "/photos/a.txt", headers: [
            ("origin", "https://app.example"), ("access-control-request-method", "DELETE"),
        ]))
        try await emulator.createBucket("plain")
        assertNoCORSHeaders(await signed("GET", "/plain", headers: [("origin", "https://app.example")]))
    }

    func testAPostPolicyViolationCarriesTheCORSHeadersSoThePageCanReadIt() async throws {
        await putBucketCors("photos", Self.djaveCORS)
        let form = presignedForm(fields: [("Content-Type", "text/html")], conditions: [.startsWith("Content-Type", "image/")])
        let response = await post(multipartBody(form), headers: [("origin", "https://photos.example")])
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.headers["access-control-allow-origin"], "*")
        let stored = await post(multipartBody(presignedForm(key: "ok.png")), headers: [("origin", "https://photos.example")])
        XCTAssertEqual(stored.status, 204, stored.bodyText)
        XCTAssertEqual(stored.headers["access-control-allow-origin"], "*")
    }
}
