import Foundation
import S3Emulator
import S3EmulatorCore
import XCTest

/// PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and CopyObject through the
/// whole pipeline (`S3Emulator.handle(_:)`), signed as the root user.
final class ObjectOperationsTests: XCTestCase {
    /// 2025-06-15T15:06:40Z.
    static let start = Date(timeIntervalSince1970: 1_750_000_000)
    static let startHTTPDate = "Sun, 15 Jun 2025 15:06:40 GMT"
    static let dayBeforeHTTPDate = "Sat, 14 Jun 2025 15:06:40 GMT"
    static let alphabet = "abcdefghijklmnopqrstuvwxyz"
    static let alphabetETag = "\"c3fcd3d76192e4007dfb496cca67e13b\""
    static let otherETag = "\"00000000000000000000000000000000\""

    var clock: ManualClock!
    var emulator: S3Emulator!

    override func setUp() async throws {
        clock = ManualClock(Self.start)
        emulator = try S3Emulator.makeForTests(clock: clock)
        await emulator.makeBucket("photos")
    }

    override func tearDown() async throws {
        try await emulator?.shutdown()
        emulator = nil
    }

    func putAlphabet(_ key: String = "alphabet.txt", headers: [(String, String)] = []) async {
        await emulator.put("photos", key, "\(Self.alphabet)", headers: [("Content-Type", "text/plain")] + headers)
    }

    func assertNoObject(_ key: String, file: StaticString = #filePath, line: UInt = #line) async {
        let response = await emulator.send("HEAD", "/photos/\(S3Emulator.encodePath(key))")
        XCTAssertEqual(response.status, 404, "\(key) must not exist", file: file, line: line)
    }

    func getText(_ key: String, file: StaticString = #filePath, line: UInt = #line) async -> String? {
        let response = await emulator.send("GET", "/photos/\(S3Emulator.encodePath(key))")
        guard response.status == 200 else { return nil }
        return String(decoding: (try? await response.bodyBytes()) ?? [], as: UTF8.self)
    }

    // MARK: - PutObject

    func testPutObjectAnswersTheQuotedMD5AsETag() async throws {
        let response = await emulator.send("PUT", "/photos/hello.txt", body: "hello")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["etag"], "\"5d41402abc4b2a76b9719d911017c592\"")
        XCTAssertEqual(response.headers["x-amz-server-side-encryption"], "AES256")
        XCTAssertEqual(response.body.length, 0)
        assertRequestIDs(response)
        let get = await emulator.send("GET", "/photos/hello.txt")
        let getBody = try await get.bodyBytes()
        XCTAssertEqual(getBody, Array("hello".utf8))
    }

    func testPutObjectReplacesAnExistingObject() async {
        await emulator.put("photos", "k", "first")
        await emulator.put("photos", "k", "second version")
        let text = await getText("k")
        XCTAssertEqual(text, "second version")
    }

    func testPutObjectWithMatchingContentMD5Succeeds() async {
        let response = await emulator.send("PUT", "/photos/k", headers: [("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")], body: "hello")
        XCTAssertEqual(response.status, 200, response.text)
    }

    func testPutObjectWithWrongContentMD5FailsWithBadDigestAndStoresNothing() async {
        let response = await emulator.send("PUT", "/photos/k", headers: [("Content-MD5", contentMD5("other".utf8))], body: "hello")
        assertS3Error(response, status: 400, code: "BadDigest", message: "The Content-MD5 you specified did not match what we received.")
        await assertNoObject("k")
    }

    func testPutObjectWithMalformedContentMD5FailsWithInvalidDigest() async {
        for value in ["not base64!", "aGVsbG8=" /* 5 bytes, not 16 */] {
            let response = await emulator.send("PUT", "/photos/k", headers: [("Content-MD5", value)], body: "hello")
            assertS3Error(response, status: 400, code: "InvalidDigest", message: "The Content-MD5 you specified is not valid.")
        }
        await assertNoObject("k")
    }

    func testPutObjectStoresContentHeadersAndUserMetadataAndReturnsThem() async {
        let headers = [
            ("Content-Type", "image/jpeg"), ("Cache-Control", "max-age=3600"),
            ("Content-Disposition", "attachment; filename=\"cat.jpg\""), ("Content-Encoding", "gzip"),
            ("Content-Language", "en-GB"), ("Expires", "Thu, 01 Dec 2044 16:00:00 GMT"),
            ("x-amz-meta-Camera", "Nikon D750"), ("x-amz-meta-taken-at", "2024-05-01"),
        ]
        await emulator.put("photos", "cat.jpg", "jpeg bytes", headers: headers)
        for method in ["GET", "HEAD"] {
            let response = await emulator.send(method, "/photos/cat.jpg")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.headers["content-type"], "image/jpeg", method)
            XCTAssertEqual(response.headers["cache-control"], "max-age=3600", method)
            XCTAssertEqual(response.headers["content-disposition"], "attachment; filename=\"cat.jpg\"", method)
            XCTAssertEqual(response.headers["content-encoding"], "gzip", method)
            XCTAssertEqual(response.headers["content-language"], "en-GB", method)
            XCTAssertEqual(response.headers["expires"], "Thu, 01 Dec 2044 16:00:00 GMT", method)
            // Metadata names come back lowercased, as S3 stores them.
            XCTAssertEqual(response.headers["x-amz-meta-camera"], "Nikon D750", method)
            XCTAssertEqual(response.headers["x-amz-meta-taken-at"], "2024-05-01", method)
            XCTAssertEqual(response.headers.fields.filter { $0.name.hasPrefix("x-amz-meta-") }.count, 2, method)
        }
    }

    func testPutObjectJoinsRepeatedMetadataHeadersWithCommas() async {
        await emulator.put("photos", "k", "x", headers: [("x-amz-meta-tag", "a"), ("X-Amz-Meta-Tag", "b")])
        let head = await emulator.send("HEAD", "/photos/k")
        XCTAssertEqual(head.headers.values("x-amz-meta-tag"), ["a,b"])
    }

    func testPutObjectWithStorageClassGlacierIsStoredButNotReadable() async {
        await emulator.put("photos", "cold", "x", headers: [("x-amz-storage-class", "GLACIER")])
        let head = await emulator.send("HEAD", "/photos/cold")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["x-amz-storage-class"], "GLACIER")
        let get = await emulator.send("GET", "/photos/cold")
        assertS3Error(get, status: 403, code: "InvalidObjectState", message: "The operation is not valid for the object's storage class")
        let list = await emulator.send("GET", "/photos", query: "list-type=2").xml()
        XCTAssertEqual(list?.child("Contents")?.childText("StorageClass"), "GLACIER")
    }

    func testPutObjectWithUnknownStorageClassFailsWithInvalidStorageClass() async {
        let response = await emulator.send("PUT", "/photos/k", headers: [("x-amz-storage-class", "COLD")], body: "x")
        let error = assertS3Error(response, status: 400, code: "InvalidStorageClass", message: "The storage class you specified is not valid")
        XCTAssertEqual(error?.childText("StorageClassRequested"), "COLD")
        await assertNoObject("k")
    }

    func testPutObjectWithoutContentTypeIsStoredAsBinaryOctetStream() async {
        await emulator.put("photos", "k", "x")
        let response = await emulator.send("HEAD", "/photos/k")
        XCTAssertEqual(response.headers["content-type"], "binary/octet-stream")
    }

    func testPutObjectWithUserMetadataOver2KBFailsWithMetadataTooLarge() async {
        // Names (without the prefix) and values count: 1 + 2047 = 2048 bytes is the limit.
        let atLimit = await emulator.send("PUT", "/photos/k", headers: [("x-amz-meta-a", String(repeating: "v", count: 2047))], body: "x")
        XCTAssertEqual(atLimit.status, 200, atLimit.text)
        let over = await emulator.send("PUT", "/photos/big", headers: [("x-amz-meta-a", String(repeating: "v", count: 2048))], body: "x")
        let error = assertS3Error(over, status: 400, code: "MetadataTooLarge",
                                  message: "Your metadata headers exceed the maximum allowed metadata size.")
        XCTAssertEqual(error?.childText("MaxSizeAllowed"), "2048")
        await assertNoObject("big")
    }

    func testPutObjectWithIfNoneMatchStarOnExistingKeyFailsWithPreconditionFailed() async {
        await emulator.put("photos", "k", "original")
        let response = await emulator.send("PUT", "/photos/k", headers: [("If-None-Match", "*")], body: "replacement")
        let error = assertS3Error(response, status: 412, code: "PreconditionFailed",
                                  message: "At least one of the pre-conditions you specified did not hold")
        XCTAssertEqual(error?.childText("Condition"), "If-None-Match")
        let text = await getText("k")
        XCTAssertEqual(text, "original")
    }

    func testPutObjectWithIfNoneMatchStarOnNewKeySucceeds() async {
        let response = await emulator.send("PUT", "/photos/new", headers: [("If-None-Match", "*")], body: "x")
        XCTAssertEqual(response.status, 200, response.text)
    }

    func testConcurrentPutObjectsWithIfNoneMatchStarCreateTheKeyExactlyOnce() async {
        let emulator = self.emulator!
        let statuses = await withTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<12 {
                group.addTask {
                    let response = await emulator.send("PUT", "/photos/once", headers: [("If-None-Match", "*")], body: "writer \(index)")
                    return (index, response.status)
                }
            }
            var statuses: [(Int, Int)] = []
            for await result in group { statuses.append(result) }
            return statuses
        }
        let winners = statuses.filter { $0.1 == 200 }
        XCTAssertEqual(winners.count, 1, "\(statuses)")
        XCTAssertTrue(statuses.allSatisfy { [200, 409, 412].contains($0.1) }, "\(statuses)")
        let text = await getText("once")
        XCTAssertEqual(text, winners.first.map { "writer \($0.0)" }, "the stored object is the winner's")
    }

    func testPutObjectWithIfNoneMatchOtherThanStarIsNotImplemented() async {
        let response = await emulator.send("PUT", "/photos/new", headers: [("If-None-Match", Self.otherETag)], body: "x")
        assertS3Error(response, status: 501, code: "NotImplemented")
        await assertNoObject("new")
    }

    func testPutObjectWithIfMatchOfAnotherETagFailsWithPreconditionFailed() async {
        await emulator.put("photos", "k", "original")
        let response = await emulator.send("PUT", "/photos/k", headers: [("If-Match", Self.otherETag)], body: "replacement")
        let error = assertS3Error(response, status: 412, code: "PreconditionFailed")
        XCTAssertEqual(error?.childText("Condition"), "If-Match")
        let text = await getText("k")
        XCTAssertEqual(text, "original")
    }

    func testPutObjectWithIfMatchOfTheCurrentETagReplacesTheObject() async {
        let etag = await emulator.put("photos", "k", "original").headers["etag"] ?? ""
        let response = await emulator.send("PUT", "/photos/k", headers: [("If-Match", etag)], body: "replacement")
        XCTAssertEqual(response.status, 200, response.text)
        let text = await getText("k")
        XCTAssertEqual(text, "replacement")
    }

    func testPutObjectWithIfMatchOnMissingKeyFailsWithNoSuchKey() async {
        let response = await emulator.send("PUT", "/photos/missing", headers: [("If-Match", Self.otherETag)], body: "x")
        let error = assertS3Error(response, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        XCTAssertEqual(error?.childText("Key"), "missing")
        await assertNoObject("missing")
    }

    /// Check values of "123456789" from the CRC catalogues and FIPS digests, base64 of the
    /// big-endian bytes, as the `x-amz-checksum-*` headers carry them.
    static let checksumsOf123456789: [(header: String, value: String)] = [
        ("x-amz-checksum-crc32", "y/Q5Jg=="),
        ("x-amz-checksum-crc32c", "4waSgw=="),
        ("x-amz-checksum-crc64nvme", "rosUhgp5mIg="),
        ("x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="),
        ("x-amz-checksum-sha256", "FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU="),
    ]

    func testPutObjectWithCorrectChecksumHeaderStoresItAndGetObjectReturnsItInChecksumMode() async {
        for (header, value) in Self.checksumsOf123456789 {
            let put = await emulator.send("PUT", "/photos/digits", headers: [(header, value)], body: "123456789")
            XCTAssertEqual(put.status, 200, "\(header): \(put.text)")
            XCTAssertEqual(put.headers[header], value, header)
            XCTAssertEqual(put.headers["x-amz-checksum-type"], "FULL_OBJECT", header)
            for method in ["GET", "HEAD"] {
                let enabled = await emulator.send(method, "/photos/digits", headers: [("x-amz-checksum-mode", "ENABLED")])
                XCTAssertEqual(enabled.headers[header], value, "\(method) \(header)")
                XCTAssertEqual(enabled.headers["x-amz-checksum-type"], "FULL_OBJECT", "\(method) \(header)")
                XCTAssertEqual(enabled.headers.fields.filter { $0.name.hasPrefix("x-amz-checksum-") }.count, 2, "\(method) \(header)")
                let plain = await emulator.send(method, "/photos/digits")
                XCTAssertNil(plain.headers[header], "without checksum mode \(method) \(header) is not returned")
            }
        }
    }

    func testPutObjectWithWrongChecksumFailsWithBadDigestAndStoresNothing() async {
        let cases: [(header: String, value: String, algorithm: String)] = [
            ("x-amz-checksum-crc32", "AAAAAA==", "CRC32"),
            ("x-amz-checksum-crc32c", "AAAAAA==", "CRC32C"),
            ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA=", "CRC64NVME"),
            ("x-amz-checksum-sha1", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "SHA1"),
            ("x-amz-checksum-sha256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "SHA256"),
        ]
        for c in cases {
            let response = await emulator.send("PUT", "/photos/digits", headers: [(c.header, c.value)], body: "123456789")
            assertS3Error(response, status: 400, code: "BadDigest",
                          message: "The \(c.algorithm) you specified did not match the calculated checksum.")
        }
        await assertNoObject("digits")
    }

    func testPutObjectWithChecksumOfWrongLengthFailsWithInvalidRequest() async {
        let response = await emulator.send("PUT", "/photos/digits", headers: [("x-amz-checksum-crc32", "AAAA")], body: "123456789")
        assertS3Error(response, status: 400, code: "InvalidRequest", message: "Value for x-amz-checksum-crc32 header is invalid.")
        await assertNoObject("digits")
    }

    func testPutObjectWithTwoChecksumAlgorithmsFailsWithInvalidRequest() async {
        let response = await emulator.send("PUT", "/photos/digits", headers: [
            ("x-amz-checksum-crc32", "y/Q5Jg=="), ("x-amz-checksum-sha1", "98O8HYCOBHMq32eZZczDTKeuNEE="),
        ], body: "123456789")
        assertS3Error(response, status: 400, code: "InvalidRequest",
                      message: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    }

    func testPutObjectWithoutContentLengthFailsWithMissingContentLength() async {
        let response = await emulator.send("PUT", "/photos/k", body: "hello", contentLength: .omitted)
        assertS3Error(response, status: 411, code: "MissingContentLength", message: "You must provide the Content-Length HTTP header.")
        await assertNoObject("k")
    }

    func testPutObjectWithShortBodyFailsWithIncompleteBody() async {
        let response = await emulator.send("PUT", "/photos/k", headers: [("Content-Length", "10")], body: "hello", payload: .unsigned)
        assertS3Error(response, status: 400, code: "IncompleteBody")
        await assertNoObject("k")
    }

    func testPutObjectWithKeyLongerThan1024BytesFailsWithKeyTooLongError() async {
        let atLimit = await emulator.send("PUT", "/photos/" + String(repeating: "k", count: 1024), body: "x")
        XCTAssertEqual(atLimit.status, 200, atLimit.text)
        let response = await emulator.send("PUT", "/photos/" + String(repeating: "k", count: 1025), body: "x")
        let error = assertS3Error(response, status: 400, code: "KeyTooLongError", message: "Your key is too long")
        XCTAssertEqual(error?.childText("Size"), "1025")
        XCTAssertEqual(error?.childText("MaxSizeAllowed"), "1024")
    }

    func testPutObjectIntoMissingBucketFailsWithNoSuchBucket() async {
        let response = await emulator.send("PUT", "/no-such-bucket/k", body: "x")
        let error = assertS3Error(response, status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist")
        XCTAssertEqual(error?.childText("BucketName"), "no-such-bucket")
    }

    func testPutObjectOfEmptyBodyStoresAnEmptyObject() async throws {
        let put = await emulator.send("PUT", "/photos/empty", body: "")
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.headers["etag"], "\"d41d8cd98f00b204e9800998ecf8427e\"")
        let get = await emulator.send("GET", "/photos/empty")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.headers["content-length"], "0")
        let getBody = try await get.bodyBytes()
        XCTAssertEqual(getBody, [])
    }

    // MARK: - GetObject

    func testGetObjectAnswersBodyAndObjectHeaders() async throws {
        await putAlphabet()
        let response = await emulator.send("GET", "/photos/alphabet.txt")
        XCTAssertEqual(response.status, 200)
        let responseBody = try await response.bodyBytes()
        XCTAssertEqual(responseBody, Array(Self.alphabet.utf8))
        XCTAssertEqual(response.headers["content-length"], "26")
        XCTAssertEqual(response.headers["etag"], Self.alphabetETag)
        XCTAssertEqual(response.headers["last-modified"], Self.startHTTPDate)
        XCTAssertEqual(response.headers["content-type"], "text/plain")
        XCTAssertEqual(response.headers["accept-ranges"], "bytes")
        XCTAssertNil(response.headers["content-range"])
        assertRequestIDs(response)
    }

    func testGetObjectOfMissingKeyFailsWithNoSuchKey() async {
        let response = await emulator.send("GET", "/photos/no/such/key")
        let error = assertS3Error(response, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        XCTAssertEqual(error?.childText("Key"), "no/such/key")
    }

    func testGetObjectInMissingBucketFailsWithNoSuchBucket() async {
        let response = await emulator.send("GET", "/no-such-bucket/k")
        let error = assertS3Error(response, status: 404, code: "NoSuchBucket")
        XCTAssertEqual(error?.childText("BucketName"), "no-such-bucket")
    }

    func testGetObjectWithRangeAnswers206WithContentRange() async throws {
        await putAlphabet()
        let cases: [(range: String, contentRange: String, body: String, line: UInt)] = [
            ("bytes=0-4", "bytes 0-4/26", "abcde", #line),
            ("bytes=10-", "bytes 10-25/26", "klmnopqrstuvwxyz", #line),
            ("bytes=-3", "bytes 23-25/26", "xyz", #line),
            ("bytes=25-25", "bytes 25-25/26", "z", #line),
            ("bytes=0-0", "bytes 0-0/26", "a", #line),
            ("bytes=20-100", "bytes 20-25/26", "uvwxyz", #line),
            ("bytes=-100", "bytes 0-25/26", Self.alphabet, #line),
            ("bytes=0-25", "bytes 0-25/26", Self.alphabet, #line),
        ]
        for c in cases {
            let response = await emulator.send("GET", "/photos/alphabet.txt", headers: [("Range", c.range)])
            XCTAssertEqual(response.status, 206, c.range, line: c.line)
            XCTAssertEqual(response.headers["content-range"], c.contentRange, line: c.line)
            XCTAssertEqual(response.headers["content-length"], String(c.body.utf8.count), line: c.line)
            XCTAssertEqual(response.headers["etag"], Self.alphabetETag, line: c.line)
            let responseBody = try await response.bodyBytes()
            XCTAssertEqual(responseBody, Array(c.body.utf8), line: c.line)
        }
    }

    func testGetObjectWithUnsatisfiableRangeFailsWithInvalidRange() async {
        await putAlphabet()
        for range in ["bytes=26-", "bytes=30-40", "bytes=26-26", "bytes=-0"] {
            let response = await emulator.send("GET", "/photos/alphabet.txt", headers: [("Range", range)])
            let error = assertS3Error(response, status: 416, code: "InvalidRange", message: "The requested range is not satisfiable")
            XCTAssertEqual(error?.childText("RangeRequested"), range)
            XCTAssertEqual(error?.childText("ActualObjectSize"), "26")
        }
    }

    func testGetObjectWithRangeOnEmptyObjectFailsWithInvalidRange() async {
        await emulator.put("photos", "empty", "")
        let response = await emulator.send("GET", "/photos/empty", headers: [("Range", "bytes=0-")])
        let error = assertS3Error(response, status: 416, code: "InvalidRange")
        XCTAssertEqual(error?.childText("ActualObjectSize"), "0")
    }

    func testGetObjectWithMalformedOrMultipleRangesAnswersTheWholeObject() async throws {
        await putAlphabet()
        for range in ["bytes=abc", "bytes=5-2", "items=0-4", "bytes=0-1,4-5", "bytes 0-4"] {
            let response = await emulator.send("GET", "/photos/alphabet.txt", headers: [("Range", range)])
            XCTAssertEqual(response.status, 200, range)
            XCTAssertNil(response.headers["content-range"], range)
            let responseBody = try await response.bodyBytes()
            XCTAssertEqual(responseBody, Array(Self.alphabet.utf8), range)
        }
    }

    func testGetObjectConditionalHeadersFollowS3Precedence() async throws {
        await putAlphabet()
        let tag = Self.alphabetETag
        let cases: [(headers: [(String, String)], status: Int, condition: String?, line: UInt)] = [
            ([("If-Match", tag)], 200, nil, #line),
            ([("If-Match", "*")], 200, nil, #line),
            ([("If-Match", Self.otherETag)], 412, "If-Match", #line),
            ([("If-None-Match", tag)], 304, nil, #line),
            ([("If-None-Match", "*")], 304, nil, #line),
            ([("If-None-Match", Self.otherETag)], 200, nil, #line),
            ([("If-Modified-Since", Self.startHTTPDate)], 304, nil, #line),
            ([("If-Modified-Since", Self.dayBeforeHTTPDate)], 200, nil, #line),
            ([("If-Modified-Since", "not a date")], 200, nil, #line),
            ([("If-Unmodified-Since", Self.startHTTPDate)], 200, nil, #line),
            ([("If-Unmodified-Since", Self.dayBeforeHTTPDate)], 412, "If-Unmodified-Since", #line),
            // If-Match true and If-Unmodified-Since false: 200.
            ([("If-Match", tag), ("If-Unmodified-Since", Self.dayBeforeHTTPDate)], 200, nil, #line),
            // If-None-Match false and If-Modified-Since true: 304.
            ([("If-None-Match", tag), ("If-Modified-Since", Self.dayBeforeHTTPDate)], 304, nil, #line),
            // A failed If-Match is decided before If-None-Match.
            ([("If-Match", Self.otherETag), ("If-None-Match", tag)], 412, "If-Match", #line),
        ]
        for c in cases {
            let response = await emulator.send("GET", "/photos/alphabet.txt", headers: c.headers)
            switch c.status {
            case 200:
                XCTAssertEqual(response.status, 200, response.text, line: c.line)
                let responseBody = try await response.bodyBytes()
                XCTAssertEqual(responseBody, Array(Self.alphabet.utf8), line: c.line)
            case 304:
                assertBodilessError(response, status: 304, line: c.line)
                XCTAssertEqual(response.headers["etag"], tag, line: c.line)
                XCTAssertEqual(response.headers["last-modified"], Self.startHTTPDate, line: c.line)
            default:
                let error = assertS3Error(response, status: 412, code: "PreconditionFailed", line: c.line)
                XCTAssertEqual(error?.childText("Condition"), c.condition, line: c.line)
            }
        }
    }

    func testGetObjectResponseOverridesReplaceTheStoredHeaders() async {
        await putAlphabet(headers: [("Cache-Control", "max-age=60")])
        let query = [
            "response-content-type=application%2Fjson",
            "response-content-disposition=attachment%3B%20filename%3D%22a.txt%22",
            "response-cache-control=no-cache",
            "response-content-language=fr",
            "response-expires=Thu%2C%2001%20Dec%202044%2016%3A00%3A00%20GMT",
            "response-content-encoding=identity",
        ].joined(separator: "&")
        let response = await emulator.send("GET", "/photos/alphabet.txt", query: query)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertEqual(response.headers.values("content-type"), ["application/json"])
        XCTAssertEqual(response.headers["content-disposition"], "attachment; filename=\"a.txt\"")
        XCTAssertEqual(response.headers.values("cache-control"), ["no-cache"])
        XCTAssertEqual(response.headers["content-language"], "fr")
        XCTAssertEqual(response.headers["expires"], "Thu, 01 Dec 2044 16:00:00 GMT")
        XCTAssertEqual(response.headers["content-encoding"], "identity")
        let plain = await emulator.send("GET", "/photos/alphabet.txt")
        XCTAssertEqual(plain.headers["content-type"], "text/plain", "overrides change the response only")
    }

    func testGetObjectChecksumModeIsNotAppliedToARange() async {
        await emulator.put("photos", "digits", "123456789", headers: [("x-amz-checksum-crc32", "y/Q5Jg==")])
        let response = await emulator.send("GET", "/photos/digits", headers: [("x-amz-checksum-mode", "ENABLED"), ("Range", "bytes=0-3")])
        XCTAssertEqual(response.status, 206)
        XCTAssertNil(response.headers["x-amz-checksum-crc32"], "the stored checksum covers the whole object, not the range")
    }

    func testGetObjectStreamsALargeObjectAndItsRanges() async throws {
        let bytes = (0..<(600 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 10) }
        let put = await emulator.send("PUT", "/photos/large.bin", body: TestBody(bytes))
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.headers["etag"], quotedMD5(bytes))
        let get = await emulator.send("GET", "/photos/large.bin")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.headers["content-length"], String(bytes.count))
        let received = try await get.bodyBytes()
        XCTAssertEqual(received.count, bytes.count)
        XCTAssertTrue(received == bytes, "the streamed body is the stored bytes")
        let ranged = await emulator.send("GET", "/photos/large.bin", headers: [("Range", "bytes=100000-399999")])
        XCTAssertEqual(ranged.status, 206)
        XCTAssertEqual(ranged.headers["content-range"], "bytes 100000-399999/\(bytes.count)")
        let slice = try await ranged.bodyBytes()
        XCTAssertTrue(slice == Array(bytes[100_000...399_999]), "the range is the stored bytes 100000 through 399999")
    }

    // MARK: - HeadObject

    func testHeadObjectAnswersGetObjectHeadersWithoutABody() async {
        await putAlphabet(headers: [("x-amz-meta-owner", "steve")])
        let get = await emulator.send("GET", "/photos/alphabet.txt")
        let head = await emulator.send("HEAD", "/photos/alphabet.txt")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body.length, 0)
        XCTAssertEqual(head.headers["content-length"], "26")
        let ignored: Set<String> = ["x-amz-request-id", "x-amz-id-2", "x-s3emu-authz"]
        let getFields = get.headers.fields.filter { !ignored.contains($0.name) }.map { "\($0.name): \($0.value)" }
        let headFields = head.headers.fields.filter { !ignored.contains($0.name) }.map { "\($0.name): \($0.value)" }
        XCTAssertEqual(headFields, getFields)
        assertRequestIDs(head)
    }

    func testHeadObjectOfMissingKeyIs404WithoutABody() async {
        assertBodilessError(await emulator.send("HEAD", "/photos/missing"), status: 404)
        assertBodilessError(await emulator.send("HEAD", "/no-such-bucket/missing"), status: 404)
    }

    func testHeadObjectWithRangeAnswers206WithoutABody() async {
        await putAlphabet()
        let response = await emulator.send("HEAD", "/photos/alphabet.txt", headers: [("Range", "bytes=0-4")])
        XCTAssertEqual(response.status, 206)
        XCTAssertEqual(response.headers["content-range"], "bytes 0-4/26")
        XCTAssertEqual(response.headers["content-length"], "5")
        XCTAssertEqual(response.body.length, 0)
        assertBodilessError(await emulator.send("HEAD", "/photos/alphabet.txt", headers: [("Range", "bytes=100-")]), status: 416)
    }

    func testHeadObjectConditionalsAnswer304And412WithoutABody() async {
        await putAlphabet()
        assertBodilessError(await emulator.send("HEAD", "/photos/alphabet.txt", headers: [("If-None-Match", Self.alphabetETag)]), status: 304)
        assertBodilessError(await emulator.send("HEAD", "/photos/alphabet.txt", headers: [("If-Match", Self.otherETag)]), status: 412)
    }

    // MARK: - DeleteObject

    func testDeleteObjectAnswers204AndRemovesTheObject() async {
        await emulator.put("photos", "k", "x")
        let response = await emulator.send("DELETE", "/photos/k")
        XCTAssertEqual(response.status, 204)
        XCTAssertEqual(response.body.length, 0)
        assertRequestIDs(response)
        await assertNoObject("k")
    }

    func testDeleteObjectOfMissingKeyAnswers204() async {
        let response = await emulator.send("DELETE", "/photos/never-existed")
        XCTAssertEqual(response.status, 204, response.text)
    }

    func testDeleteObjectInMissingBucketFailsWithNoSuchBucket() async {
        assertS3Error(await emulator.send("DELETE", "/no-such-bucket/k"), status: 404, code: "NoSuchBucket")
    }

    // MARK: - DeleteObjects

    static func deleteXML(_ keys: [String], quiet: Bool? = nil) -> String {
        var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        if let quiet { xml += "<Quiet>\(quiet)</Quiet>" }
        for key in keys { xml += "<Object><Key>\(key)</Key></Object>" }
        return xml + "</Delete>"
    }

    func deleteObjects(_ xml: String, headers: [(String, String)]? = nil) async -> S3Response {
        await emulator.send("POST", "/photos", query: "delete", headers: headers ?? [("Content-MD5", contentMD5(xml.utf8))], body: "\(xml)")
    }

    func testDeleteObjectsReportsEveryKeyAsDeletedMissingOnesIncluded() async {
        await emulator.put("photos", "a", "1")
        await emulator.put("photos", "b", "2")
        let response = await deleteObjects(Self.deleteXML(["a", "b", "never-existed"]))
        XCTAssertEqual(response.status, 200, response.text)
        let result = response.xml()
        XCTAssertEqual(result?.name, "DeleteResult")
        XCTAssertEqual(result?.texts("Deleted", "Key"), ["a", "b", "never-existed"])
        XCTAssertEqual(result?.children(named: "Error").count, 0)
        await assertNoObject("a")
        await assertNoObject("b")
    }

    func testDeleteObjectsInQuietModeAnswersOnlyErrors() async {
        await emulator.put("photos", "a", "1")
        let response = await deleteObjects(Self.deleteXML(["a", "b"], quiet: true))
        XCTAssertEqual(response.status, 200, response.text)
        let result = response.xml()
        XCTAssertEqual(result?.name, "DeleteResult")
        XCTAssertEqual(result?.children.count, 0, response.text)
        await assertNoObject("a")
    }

    func testDeleteObjectsWithQuietFalseListsDeletedKeys() async {
        let response = await deleteObjects(Self.deleteXML(["a"], quiet: false))
        XCTAssertEqual(response.xml()?.texts("Deleted", "Key"), ["a"])
    }

    func testDeleteObjectsAccepts1000KeysAndRejects1001WithMalformedXML() async {
        let thousand = (0..<1000).map { "key-\($0)" }
        let accepted = await deleteObjects(Self.deleteXML(thousand, quiet: true))
        XCTAssertEqual(accepted.status, 200, accepted.text)
        let response = await deleteObjects(Self.deleteXML(thousand + ["one-more"]))
        assertS3Error(response, status: 400, code: "MalformedXML",
                      message: "The XML you provided was not well-formed or did not validate against our published schema")
    }

    func testDeleteObjectsWithoutContentMD5FailsWithInvalidRequest() async {
        await emulator.put("photos", "a", "1")
        let response = await deleteObjects(Self.deleteXML(["a"]), headers: [])
        assertS3Error(response, status: 400, code: "InvalidRequest", message: "Missing required header for this request: Content-MD5")
        let text = await getText("a")
        XCTAssertEqual(text, "1", "nothing was deleted")
    }

    func testDeleteObjectsWithWrongContentMD5FailsWithBadDigest() async {
        await emulator.put("photos", "a", "1")
        let response = await deleteObjects(Self.deleteXML(["a"]), headers: [("Content-MD5", contentMD5("other".utf8))])
        assertS3Error(response, status: 400, code: "BadDigest")
        let text = await getText("a")
        XCTAssertEqual(text, "1", "nothing was deleted")
    }

    func testDeleteObjectsWithMalformedBodyFailsWithMalformedXML() async {
        for xml in ["<Delete><Object><Key>a</Key></Object>", "<NotDelete><Object><Key>a</Key></Object></NotDelete>", "<Delete></Delete>",
                    "<Delete><Object></Object></Delete>"] {
            assertS3Error(await deleteObjects(xml), status: 400, code: "MalformedXML")
        }
    }

    // MARK: - CopyObject

    func copy(_ source: String, to key: String, headers: [(String, String)] = []) async -> S3Response {
        await emulator.send("PUT", "/photos/\(S3Emulator.encodePath(key))", headers: [("x-amz-copy-source", source)] + headers)
    }

    func testCopyObjectCopiesBodyAndMetadataByDefault() async throws {
        await emulator.put("photos", "src.txt", "source body", headers: [
            ("Content-Type", "text/plain"), ("x-amz-meta-color", "blue"), ("Cache-Control", "max-age=5"),
        ])
        clock.advance(by: 600)
        let response = await copy("/photos/src.txt", to: "dst.txt", headers: [("Content-Type", "ignored/with-copy")])
        XCTAssertEqual(response.status, 200, response.text)
        let result = response.xml()
        XCTAssertEqual(result?.name, "CopyObjectResult")
        XCTAssertEqual(result?.childText("ETag"), quotedMD5("source body".utf8))
        XCTAssertEqual(result?.childText("LastModified"), "2025-06-15T15:16:40.000Z")
        let get = await emulator.send("GET", "/photos/dst.txt")
        let getBody = try await get.bodyBytes()
        XCTAssertEqual(getBody, Array("source body".utf8))
        XCTAssertEqual(get.headers["content-type"], "text/plain")
        XCTAssertEqual(get.headers["x-amz-meta-color"], "blue")
        XCTAssertEqual(get.headers["cache-control"], "max-age=5")
        XCTAssertEqual(get.headers["last-modified"], "Sun, 15 Jun 2025 15:16:40 GMT")
    }

    func testCopyObjectWithReplaceDirectiveTakesTheRequestMetadata() async {
        await emulator.put("photos", "src.txt", "source body", headers: [("Content-Type", "text/plain"), ("x-amz-meta-color", "blue")])
        let response = await copy("photos/src.txt", to: "dst.txt", headers: [
            ("x-amz-metadata-directive", "REPLACE"), ("Content-Type", "text/markdown"), ("x-amz-meta-size", "large"),
        ])
        XCTAssertEqual(response.status, 200, response.text)
        let head = await emulator.send("HEAD", "/photos/dst.txt")
        XCTAssertEqual(head.headers["content-type"], "text/markdown")
        XCTAssertEqual(head.headers["x-amz-meta-size"], "large")
        XCTAssertNil(head.headers["x-amz-meta-color"])
    }

    func testCopyObjectOntoItselfWithoutReplaceFailsWithInvalidRequest() async {
        await emulator.put("photos", "self.txt", "x", headers: [("x-amz-meta-color", "blue")])
        for headers in [[], [("x-amz-metadata-directive", "COPY")]] {
            let response = await copy("/photos/self.txt", to: "self.txt", headers: headers)
            assertS3Error(response, status: 400, code: "InvalidRequest", message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
    }

    func testCopyObjectOntoItselfWithReplaceChangesTheMetadata() async {
        await emulator.put("photos", "self.txt", "x", headers: [("x-amz-meta-color", "blue")])
        let response = await copy("/photos/self.txt", to: "self.txt", headers: [("x-amz-metadata-directive", "REPLACE"), ("x-amz-meta-color", "red")])
        XCTAssertEqual(response.status, 200, response.text)
        let head = await emulator.send("HEAD", "/photos/self.txt")
        XCTAssertEqual(head.headers["x-amz-meta-color"], "red")
        let text = await getText("self.txt")
        XCTAssertEqual(text, "x")
    }

    func testCopyObjectSourceConditionsThatFailAnswer412() async {
        await emulator.put("photos", "src.txt", "x")
        let tag = quotedMD5("x".utf8)
        let failing: [[(String, String)]] = [
            [("x-amz-copy-source-if-match", Self.otherETag)],
            [("x-amz-copy-source-if-none-match", tag)],
            [("x-amz-copy-source-if-unmodified-since", Self.dayBeforeHTTPDate)],
            [("x-amz-copy-source-if-modified-since", Self.startHTTPDate)],
            // If-None-Match false and If-Modified-Since true: still 412.
            [("x-amz-copy-source-if-none-match", tag), ("x-amz-copy-source-if-modified-since", Self.dayBeforeHTTPDate)],
        ]
        for headers in failing {
            let response = await copy("/photos/src.txt", to: "dst.txt", headers: headers)
            assertS3Error(response, status: 412, code: "PreconditionFailed")
        }
        await assertNoObject("dst.txt")
    }

    func testCopyObjectSourceConditionsThatHoldCopy() async {
        await emulator.put("photos", "src.txt", "x")
        let tag = quotedMD5("x".utf8)
        let holding: [[(String, String)]] = [
            [("x-amz-copy-source-if-match", tag)],
            [("x-amz-copy-source-if-none-match", Self.otherETag)],
            [("x-amz-copy-source-if-unmodified-since", Self.startHTTPDate)],
            [("x-amz-copy-source-if-modified-since", Self.dayBeforeHTTPDate)],
            // If-Match true and If-Unmodified-Since false: copies.
            [("x-amz-copy-source-if-match", tag), ("x-amz-copy-source-if-unmodified-since", Self.dayBeforeHTTPDate)],
        ]
        for (index, headers) in holding.enumerated() {
            let response = await copy("/photos/src.txt", to: "dst-\(index)", headers: headers)
            XCTAssertEqual(response.status, 200, "\(headers): \(response.text)")
        }
    }

    func testCopyObjectWithURLEncodedSourceKey() async {
        let key = "dir/my cat+1 ✓.txt"
        await emulator.put("photos", key, "meow")
        for source in ["/photos/dir/my%20cat%2B1%20%E2%9C%93.txt", "photos%2Fdir%2Fmy%20cat%2B1%20%E2%9C%93.txt"] {
            let response = await copy(source, to: "copy.txt")
            XCTAssertEqual(response.status, 200, "\(source): \(response.text)")
            let text = await getText("copy.txt")
            XCTAssertEqual(text, "meow", source)
            _ = await emulator.send("DELETE", "/photos/copy.txt")
        }
    }

    func testCopyObjectFromMissingSourceFailsWithNoSuchKeyOrNoSuchBucket() async {
        let missingKey = await copy("/photos/missing", to: "dst")
        XCTAssertEqual(assertS3Error(missingKey, status: 404, code: "NoSuchKey")?.childText("Key"), "missing")
        let missingBucket = await copy("/no-such-bucket/k", to: "dst")
        XCTAssertEqual(assertS3Error(missingBucket, status: 404, code: "NoSuchBucket")?.childText("BucketName"), "no-such-bucket")
    }

    func testCopyObjectWithMalformedSourceFailsWithInvalidArgument() async {
        for source in ["photos", "/photos/", "/photos", "/%zz/k"] {
            assertS3Error(await copy(source, to: "dst"), status: 400, code: "InvalidArgument")
        }
    }

    func testCopyObjectWithUnknownMetadataDirectiveFailsWithInvalidArgument() async {
        await emulator.put("photos", "src.txt", "x")
        let response = await copy("/photos/src.txt", to: "dst", headers: [("x-amz-metadata-directive", "MERGE")])
        assertS3Error(response, status: 400, code: "InvalidArgument", message: "Unknown metadata directive.")
    }
}
