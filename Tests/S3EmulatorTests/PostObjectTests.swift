import Crypto
import Foundation
import NIOCore
import S3Emulator
import S3EmulatorAuth
import S3EmulatorCore
import XCTest

/// POST Object through the whole pipeline: presigned forms as browsers send them, every
/// answer S3 gives a form (stored, refused by the policy, refused by authorization), and
/// malformed bodies, which are client errors, never a 500.
final class PostObjectTests: PostObjectTestCase {
    private func assertError(
        _ response: S3Response, _ status: Int, _ code: String, message: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(response.status, status, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.errorElement("Code"), code, response.bodyText, file: file, line: line)
        if let message {
            XCTAssertEqual(response.errorElement("Message"), message, file: file, line: line)
        }
    }

    private func stored(_ key: String, bucket: String = "photos") async throws -> S3Emulator.StoredObject? {
        try await emulator.object(bucket: bucket, key: key)
    }

    // MARK: - Stored

    func testPresignedPostStoresTheFileUnderItsFilenameAndAnswers204() async throws {
        let form = presignedForm(fields: [("Content-Type", "image/png")], conditions: [.contentLengthRange(1, 10 << 20)])
        let response = await post(multipartBody(form, file: Array("\u{89}PNG kitten".utf8), filename: "kitten.png"))
        XCTAssertEqual(response.status, 204, response.bodyText)
        let object = try await stored("uploads/kitten.png")
        XCTAssertEqual(object?.data, Data("\u{89}PNG kitten".utf8))
        XCTAssertEqual(object?.contentType, "image/png")
        XCTAssertEqual(response.headers["etag"], object?.etag)
        XCTAssertEqual(response.headers["location"], "http://localhost:9000/photos/uploads%2Fkitten.png")
        XCTAssertNotNil(response.headers["x-s3emu-authz"])
        XCTAssertEqual(response.bodyText, "")
    }

    func testSuccessActionStatus201AnswersAPostResponseDocument() async throws {
        let form = presignedForm(fields: [("success_action_status", "201")])
        let response = await post(multipartBody(form, file: Array("something body".utf8), filename: "my-file"))
        XCTAssertEqual(response.status, 201, response.bodyText)
        let etag = "\"43281e21fce675ac3bcb3524b38ca4ed\""
        XCTAssertEqual(response.headers["content-type"], "application/xml")
        XCTAssertTrue(response.bodyText.contains(
            "<PostResponse><Location>http://localhost:9000/photos/uploads%2Fmy-file</Location><Bucket>photos</Bucket><Key>uploads/my-file</Key><ETag>\(XMLWriter.escape(etag))</ETag></PostResponse>"),
            response.bodyText)
        XCTAssertEqual(response.headers["etag"], etag)
    }

    func testSuccessActionStatus200AndUnknownValues() async throws {
        let ok = await post(multipartBody(presignedForm(key: "a.txt", fields: [("success_action_status", "200")])))
        XCTAssertEqual(ok.status, 200, ok.bodyText)
        XCTAssertEqual(ok.bodyText, "")
        let other = await post(multipartBody(presignedForm(key: "b.txt", fields: [("success_action_status", "404")])))
        XCTAssertEqual(other.status, 204, other.bodyText)
    }

    func testSuccessActionRedirectAnswers303WithBucketKeyAndETag() async throws {
        let redirect = "https://app.example/done?ticket=42"
        let form = presignedForm(key: "uploads/${filename}", fields: [("success_action_redirect", redirect)])
        let response = await post(multipartBody(form, file: Array("x".utf8), filename: "my photo.jpg"))
        XCTAssertEqual(response.status, 303, response.bodyText)
        let etag = ETag(md5: Array(Insecure.MD5.hash(data: Array("x".utf8)))).value
        XCTAssertEqual(response.headers["location"], "\(redirect)&bucket=photos&key=uploads%2Fmy+photo.jpg&etag=%22\(etag)%22")
        // The deprecated `redirect` field works the same; a relative URL is ignored.
        let old = await post(multipartBody(presignedForm(key: "c.txt", fields: [("redirect", "http://app.example/ok")])))
        XCTAssertEqual(old.status, 303)
        XCTAssertTrue(old.headers["location"]?.hasPrefix("http://app.example/ok?bucket=photos&key=c.txt&etag=%22") == true)
        let relative = await post(multipartBody(presignedForm(key: "d.txt", fields: [("success_action_redirect", "/wrong/redirect/relative")])))
        XCTAssertEqual(relative.status, 204)
    }

    func testFieldNamesAreCaseInsensitive() async throws {
        let form = presignedForm(key: "case.txt").map { field -> (name: String, value: String) in
            switch field.name {
            case "key": ("KEY", field.value)
            case "policy": ("Policy", field.value)
            case "x-amz-signature": ("X-Amz-Signature", field.value)
            case "x-amz-credential": ("X-Amz-Credential", field.value)
            default: field
            }
        }
        let response = await post(multipartBody(form))
        XCTAssertEqual(response.status, 204, response.bodyText)
        let object = try await stored("case.txt")
        XCTAssertNotNil(object)
    }

    func testIgnoredFieldsAndFieldsAfterTheFileAreNotCheckedOrStored() async throws {
        let form = presignedForm(key: "ignored.txt") + [("x-ignore-flash", "1"), ("X-Ignore-Other", "2")]
        let response = await post(multipartBody(form, after: [("x-amz-meta-late", "after the file"), ("submit", "Upload")]))
        XCTAssertEqual(response.status, 204, response.bodyText)
        let object = try await stored("ignored.txt")
        XCTAssertEqual(object?.metadata, [:])
    }

    func testMetadataAndContentHeadersComeFromTheFields() async throws {
        let fields: [(name: String, value: String)] = [
            ("Content-Type", "text/plain"), ("Cache-Control", "max-age=60"), ("Content-Disposition", "inline"),
            ("x-amz-meta-TEST-2", "two"), ("x-amz-storage-class", "STANDARD"),
        ]
        let response = await post(multipartBody(presignedForm(key: "meta.txt", fields: fields), fileContentType: "image/png"))
        XCTAssertEqual(response.status, 204, response.bodyText)
        let object = try await stored("meta.txt")
        XCTAssertEqual(object?.contentType, "text/plain")
        XCTAssertEqual(object?.metadata, ["test-2": "two"])
    }

    func testWithoutAContentTypeFieldTheObjectIsBinaryOctetStream() async throws {
        _ = await post(multipartBody(presignedForm(key: "plain.bin"), fileContentType: "image/png"))
        let object = try await stored("plain.bin")
        XCTAssertEqual(object?.contentType, "binary/octet-stream")
    }

    func testFilenameVariableTakesTheLastPathComponentAndStaysLiteralWithoutAFilename() async throws {
        let windows = await post(multipartBody(presignedForm(), filename: #"C:\Program Files\directory1\file.txt"#))
        XCTAssertEqual(windows.status, 204, windows.bodyText)
        let fromWindows = try await stored("uploads/file.txt")
        XCTAssertNotNil(fromWindows)
        let unix = await post(multipartBody(presignedForm(), filename: "/home/steve/cat.jpg"))
        XCTAssertEqual(unix.status, 204, unix.bodyText)
        let fromUnix = try await stored("uploads/cat.jpg")
        XCTAssertNotNil(fromUnix)
        let none = await post(multipartBody(presignedForm(), filename: nil))
        XCTAssertEqual(none.status, 204, none.bodyText)
        let literal = try await stored("uploads/${filename}")
        XCTAssertNotNil(literal)
    }

    func testChecksumAndContentMD5FieldsAreVerified() async throws {
        let content = Array("checked content".utf8)
        let sha = Base64.encode(Array(SHA256.hash(data: content)))
        let good = await post(multipartBody(presignedForm(key: "sum.txt", fields: [("x-amz-checksum-sha256", sha)]), file: content))
        XCTAssertEqual(good.status, 204, good.bodyText)
        XCTAssertEqual(good.headers["x-amz-checksum-sha256"], sha)
        let wrongMD5 = Base64.encode(Array(Insecure.MD5.hash(data: Array("other".utf8))))
        let bad = await post(multipartBody(presignedForm(key: "md5.txt", fields: [("Content-MD5", wrongMD5)]), file: content))
        assertError(bad, 400, "BadDigest")
        let absent = try await stored("md5.txt")
        XCTAssertNil(absent)
    }

    func testTheFileStreamsInSmallPiecesWithDelimiterLookalikesInside() async throws {
        // Bytes that begin like the delimiter, split across every possible piece boundary.
        var content: [UInt8] = []
        for index in 0..<4000 {
            content += Array("\r\n--\(Self.boundary.prefix(index % 20))\r\n-".utf8)
            content.append(UInt8(index % 256))
        }
        for chunkSize in [1, 7, 64, 4096] {
            let key = "stream-\(chunkSize).bin"
            let response = await post(multipartBody(presignedForm(key: key), file: content), chunkSize: chunkSize)
            XCTAssertEqual(response.status, 204, "\(chunkSize): \(response.bodyText)")
            let object = try await stored(key)
            XCTAssertEqual(object?.data, Data(content), "piece size \(chunkSize)")
        }
    }

    func testAPreambleAndTransportPaddingAreAccepted() async throws {
        var body = Array("This is the preamble.\r\n".utf8)
        body += multipartBody(presignedForm(key: "preamble.txt"))
        let response = await post(body)
        XCTAssertEqual(response.status, 204, response.bodyText)
    }

    // MARK: - The policy

    func testContentTypeOutsideTheStartsWithConditionIsDeniedNamingIt() async throws {
        let form = presignedForm(fields: [("Content-Type", "text/html")], conditions: [.startsWith("Content-Type", "image/")])
        let response = await post(multipartBody(form, filename: "page.html"))
        assertError(response, 403, "AccessDenied",
                    message: #"Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]"#)
        let object = try await stored("uploads/page.html")
        XCTAssertNil(object)
    }

    func testAnExtraUnsignedFieldIsDenied() async throws {
        let response = await post(multipartBody(presignedForm() + [("x-amz-meta-note", "unsigned")]))
        assertError(response, 403, "AccessDenied", message: "Invalid according to Policy: Extra input fields: x-amz-meta-note")
    }

    func testAnExpiredPolicyIsDenied() async throws {
        let form = presignedForm(expiresIn: 60)
        clock.advance(by: 61)
        let response = await post(multipartBody(form))
        assertError(response, 403, "AccessDenied", message: "Invalid according to Policy: Policy expired.")
    }

    func testATamperedPolicyDoesNotMatchItsSignature() async throws {
        var form = presignedForm(conditions: [.contentLengthRange(1, 10)])
        let index = try XCTUnwrap(form.firstIndex { $0.name == "policy" })
        let decoded = String(decoding: Base64.decode(form[index].value) ?? [], as: UTF8.self)
        form[index].value = Base64.encode(Array(decoded.replacingOccurrences(of: "1, 10]", with: "1, 1073741824]").utf8))
        let response = await post(multipartBody(form))
        assertError(response, 403, "SignatureDoesNotMatch")
        XCTAssertEqual(response.errorElement("StringToSign"), form[index].value)
    }

    func testAFileLargerThanTheContentLengthRangeIsEntityTooLarge() async throws {
        let form = presignedForm(conditions: [.contentLengthRange(1, 10)])
        let response = await post(multipartBody(form, file: Array(repeating: 7, count: 20)), chunkSize: 5)
        assertError(response, 400, "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed size")
        XCTAssertEqual(response.errorElement("ProposedSize"), "20")
        XCTAssertEqual(response.errorElement("MaxSizeAllowed"), "10")
        let object = try await stored("uploads/cat.png")
        XCTAssertNil(object)
    }

    func testAnEmptyFileBelowTheRangeIsEntityTooSmall() async throws {
        let response = await post(multipartBody(presignedForm(conditions: [.contentLengthRange(1, 10)]), file: []))
        assertError(response, 400, "EntityTooSmall")
        XCTAssertEqual(response.errorElement("MinSizeAllowed"), "1")
    }

    func testAPublicReadAclOnABucketWithACLsDisabledIsNotSupported() async throws {
        let response = await post(multipartBody(presignedForm(fields: [("acl", "public-read")])))
        assertError(response, 400, "AccessControlListNotSupported", message: "The bucket does not allow ACLs")
    }

    func testTheTaggingFieldSetsTheObjectsTags() async throws {
        let tagging = "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>0</Key><Value>0</Value></Tag></TagSet></Tagging>"
        let response = await post(multipartBody(presignedForm(key: "tagged.txt", fields: [("tagging", tagging)])))
        XCTAssertEqual(response.status, 204, response.bodyText)
        let tags = await signed("GET", "/photos/tagged.txt", query: "tagging")
        XCTAssertTrue(tags.bodyText.contains("<Tag><Key>0</Key><Value>0</Value></Tag><Tag><Key>a</Key><Value>b</Value></Tag>"), tags.bodyText)
        let notXML = await post(multipartBody(presignedForm(key: "bad-tags.txt", fields: [("tagging", "not-xml")])))
        assertError(notXML, 400, "MalformedXML")
        let other = await post(multipartBody(presignedForm(key: "other-root.txt", fields: [("tagging", "<InvalidXmlTagging></InvalidXmlTagging>")])))
        XCTAssertEqual(other.status, 204, other.bodyText)
        let eleven = "<Tagging><TagSet>" + (0...10).map { "<Tag><Key>k\($0)</Key><Value>v</Value></Tag>" }.joined() + "</TagSet></Tagging>"
        assertError(await post(multipartBody(presignedForm(key: "many.txt", fields: [("tagging", eleven)]))), 400, "InvalidTag")
    }

    // MARK: - Authorization

    func testTheSignerMustBeAllowedToPutTheObject() async throws {
        let response = await post(multipartBody(presignedForm(key: "photo.jpg", credentials: Self.narrow)))
        assertError(response, 403, "AccessDenied")
        XCTAssertTrue(response.errorElement("Message")?.contains("s3:PutObject") == true, response.bodyText)
        let object = try await stored("photo.jpg")
        XCTAssertNil(object)
    }

    func testAnAnonymousFormCannotWriteToAPrivateBucket() async throws {
        let response = await post(multipartBody([("key", "anon.txt")]))
        assertError(response, 403, "AccessDenied", message: "Access Denied")
    }

    func testAnUnknownAccessKeyIsRefused() async throws {
        let response = await post(multipartBody(presignedForm(credentials: AccessKey(accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x"))))
        assertError(response, 403, "InvalidAccessKeyId")
    }

    func testASecurityTokenIsRefused() async throws {
        let response = await post(multipartBody(presignedForm() + [("x-amz-security-token", "FQoGZXIvYXdzEJr")]))
        assertError(response, 400, "InvalidToken")
    }

    // MARK: - Malformed forms

    func testMalformedFormsAreClientErrors() async throws {
        let form = presignedForm(key: "m.txt")
        let good = multipartBody(form)
        var oversized = form
        oversized.insert(("x-ignore-padding", String(repeating: "p", count: 21 * 1024)), at: 0)
        let cases: [(body: [UInt8], contentType: String?, contentLength: Int?, status: Int, code: String, line: UInt)] = [
            (good, "text/plain", nil, 412, "PreconditionFailed", #line),
            (good, "", nil, 412, "PreconditionFailed", #line),
            (good, "multipart/form-data", nil, 400, "MalformedPOSTRequest", #line),
            (good, "multipart/form-data; boundary=", nil, 400, "MalformedPOSTRequest", #line),
            (good, "multipart/form-data; boundary=other", nil, 400, "MalformedPOSTRequest", #line),
            (Array("garbage".utf8), nil, nil, 400, "MalformedPOSTRequest", #line),
            ([], nil, nil, 400, "MalformedPOSTRequest", #line),
            (Array(good.prefix(good.count / 2)), nil, good.count, 400, "IncompleteBody", #line),
            (Array(good.prefix(40)), nil, good.count, 400, "IncompleteBody", #line),
            (Array(good.dropLast(Self.boundary.count + 8)), nil, nil, 400, "MalformedPOSTRequest", #line),
            (multipartBody(form, file: nil), nil, nil, 400, "InvalidArgument", #line),
            (multipartBody(form.filter { $0.name != "key" }), nil, nil, 400, "InvalidArgument", #line),
            (multipartBody(oversized), nil, nil, 400, "MaxPostPreDataLengthExceeded", #line),
            (Array("--\(Self.boundary)\r\nContent-Disposition: form-data\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8), nil, nil, 400,
             "MalformedPOSTRequest", #line),
            (Array("--\(Self.boundary)\nContent-Disposition: form-data; name=\"key\"\n\nx\n--\(Self.boundary)--\n".utf8), nil, nil, 400,
             "MalformedPOSTRequest", #line),
        ]
        for (body, contentType, contentLength, status, code, line) in cases {
            // nil: the form's own type; "": no Content-Type at all.
            let type = contentType ?? "multipart/form-data; boundary=\(Self.boundary)"
            let response = await post(body, contentType: type.isEmpty ? nil : type, contentLength: contentLength)
            assertError(response, status, code, line: line)
        }
    }

    func testMissingKeyAndMissingFileMessages() async throws {
        let noKey = await post(multipartBody(presignedForm().filter { $0.name != "key" }))
        assertError(noKey, 400, "InvalidArgument",
                    message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
        XCTAssertEqual(noKey.errorElement("ArgumentName"), "key")
        let noFile = await post(multipartBody(presignedForm(), file: nil))
        assertError(noFile, 400, "InvalidArgument", message: "POST requires exactly one file upload per request.")
        XCTAssertEqual(noFile.errorElement("ArgumentName"), "file")
        XCTAssertEqual(noFile.errorElement("ArgumentValue"), "0")
        // A key given only after the file is not seen.
        let late = await post(multipartBody(presignedForm().filter { $0.name != "key" }, after: [("key", "late.txt")]))
        assertError(late, 400, "InvalidArgument")
    }

    func testPostToAMissingBucketIsNoSuchBucket() async throws {
        let response = await post(multipartBody(presignedForm(bucket: "nope")), bucket: "nope")
        assertError(response, 404, "NoSuchBucket")
    }

    func testVirtualHostedPostObjectAnswersTheVirtualHostedLocation() async throws {
        let body = multipartBody(presignedForm(key: "virtual.txt"))
        let request = S3Request(
            method: "POST", rawPath: "/", host: "photos.localhost:9000",
            headers: S3Headers([("content-type", "multipart/form-data; boundary=\(Self.boundary)"), ("content-length", String(body.count))]),
            body: S3RequestBody(buffer: ByteBuffer(bytes: body)))
        let response = await emulator.handle(request)
        XCTAssertEqual(response.status, 204, response.bodyText)
        XCTAssertEqual(response.headers["location"], "http://photos.localhost:9000/virtual.txt")
        let object = try await stored("virtual.txt")
        XCTAssertNotNil(object)
    }

    func testPostWithASubresourceIsNotAPostObject() async throws {
        let request = S3Request(
            method: "POST", rawPath: "/photos", rawQuery: "tagging", host: Self.host,
            headers: S3Headers([("content-type", "multipart/form-data; boundary=x")]))
        let response = await emulator.handle(request)
        XCTAssertEqual(response.errorElement("Code"), "NotImplemented")
    }
}
