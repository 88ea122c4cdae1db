import EmulatorHarness
import Foundation
import S3EmulatorCore
import XCTest

final class EmulatorHarnessSeedingTests: XCTestCase {
    private var s3: EmulatorHarness!

    override func setUp() async throws {
        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "seeded")]
        s3 = try await EmulatorHarness.start(configuration)
    }

    override func tearDown() async throws {
        try await s3.shutdown()
    }

    func testConfigurationBucketsExistAtStart() async throws {
        let response = try await RawHTTPConnection.fetch("HEAD", try s3.presignedURL(method: "HEAD", bucket: "seeded", key: nil))
        XCTAssertEqual(response.status, 200)
    }

    func testAVersionedSeedBucketKeepsEveryVersion() async throws {
        var configuration = EmulatorConfiguration()
        configuration.buckets = [BucketSeed(name: "versioned", versioning: .enabled)]
        let versioned = try await EmulatorHarness.start(configuration)
        var versionIDs: [String] = []
        for body in ["one", "two"] {
            let response = try await RawHTTPConnection.fetch(
                "PUT", try versioned.presignedURL(method: "PUT", bucket: "versioned", key: "k"), body: Array(body.utf8)
            )
            XCTAssertEqual(response.status, 200)
            versionIDs.append(try XCTUnwrap(response.header("x-amz-version-id")))
        }
        XCTAssertNotEqual(versionIDs[0], versionIDs[1])
        let old = try await RawHTTPConnection.fetch(
            "GET", try versioned.presignedURL(method: "GET", bucket: "versioned", key: "k", query: ["versionId": versionIDs[0]])
        )
        XCTAssertEqual(String(decoding: old.body, as: UTF8.self), "one")
        try await versioned.shutdown()
    }

    func testCreateBucketReportsWhetherTheBucketIsNew() async throws {
        let created = try await s3.createBucket("photos")
        let again = try await s3.createBucket("photos")
        XCTAssertTrue(created)
        XCTAssertFalse(again)
        let response = try await RawHTTPConnection.fetch("HEAD", try s3.presignedURL(method: "HEAD", bucket: "photos", key: nil))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("x-amz-bucket-region"), "us-east-1")
    }

    func testCreateBucketWithAnInvalidNameFailsWithInvalidBucketName() async throws {
        for name in ["Photos", "ab", "photos_2024", "-photos"] {
            do {
                try await s3.createBucket(name)
                XCTFail("\(name) was accepted")
            } catch let error as S3Error {
                XCTAssertEqual(error.code, .invalidBucketName, name)
            }
        }
    }

    func testPutObjectIsServedByGetObjectWithItsMetadata() async throws {
        let etag = try await s3.putObject(
            bucket: "seeded", key: "docs/read me.txt", data: Data("hello".utf8), contentType: "text/plain",
            metadata: ["Owner": "steve"]
        )
        XCTAssertEqual(etag, "\"5d41402abc4b2a76b9719d911017c592\"")
        let response = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "seeded", key: "docs/read me.txt"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "hello")
        XCTAssertEqual(response.header("etag"), etag)
        XCTAssertEqual(response.header("content-type"), "text/plain")
        XCTAssertEqual(response.header("x-amz-meta-owner"), "steve")
    }

    func testObjectReturnsWhatAPutObjectRequestStored() async throws {
        let body = Array("uploaded over HTTP".utf8)
        let url = try s3.presignedURL(method: "PUT", bucket: "seeded", key: "a/b", headers: ["X-Amz-Meta-Color": "blue"])
        let put = try await RawHTTPConnection.fetch(
            "PUT", url, headers: [("Content-Type", "application/x-test"), ("x-amz-meta-color", "blue")], body: body
        )
        XCTAssertEqual(put.status, 200, put.text)
        let stored = try await s3.object(bucket: "seeded", key: "a/b")
        XCTAssertEqual(stored?.data, Data(body))
        XCTAssertEqual(stored?.contentType, "application/x-test")
        XCTAssertEqual(stored?.metadata, ["color": "blue"])
        XCTAssertEqual(stored?.etag, put.header("etag"))
    }

    func testObjectIsNilForAMissingKeyOrBucket() async throws {
        let missingKey = try await s3.object(bucket: "seeded", key: "nothing")
        let missingBucket = try await s3.object(bucket: "no-such-bucket", key: "nothing")
        XCTAssertNil(missingKey)
        XCTAssertNil(missingBucket)
    }

    func testPutObjectIntoAMissingBucketFailsWithNoSuchBucket() async throws {
        do {
            try await s3.putObject(bucket: "no-such-bucket", key: "k", data: Data())
            XCTFail("the object was stored")
        } catch let error as S3Error {
            XCTAssertEqual(error.code, .noSuchBucket)
        }
    }

    func testPutObjectReplacesAnExistingObject() async throws {
        try await s3.putObject(bucket: "seeded", key: "k", data: Data("one".utf8), metadata: ["v": "1"])
        try await s3.putObject(bucket: "seeded", key: "k", data: Data("two".utf8))
        let stored = try await s3.object(bucket: "seeded", key: "k")
        XCTAssertEqual(stored?.data, Data("two".utf8))
        XCTAssertEqual(stored?.metadata, [:])
    }

    func testEmptyAndLargeObjectsRoundTrip() async throws {
        let large = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await s3.putObject(bucket: "seeded", key: "empty", data: Data())
        try await s3.putObject(bucket: "seeded", key: "large", data: large)
        let empty = try await s3.object(bucket: "seeded", key: "empty")
        let stored = try await s3.object(bucket: "seeded", key: "large")
        XCTAssertEqual(empty?.data, Data())
        XCTAssertEqual(empty?.etag, "\"d41d8cd98f00b204e9800998ecf8427e\"")
        XCTAssertEqual(stored?.data, large)
    }

    func testResetDeletesEveryObjectAndBucketAndRecreatesTheConfiguredOnes() async throws {
        try await s3.createBucket("extra")
        try await s3.putObject(bucket: "extra", key: "x", data: Data("x".utf8))
        for index in 0..<1500 {
            try await s3.putObject(bucket: "seeded", key: "many/\(index)", data: Data())
        }
        _ = try await RawHTTPConnection.fetch("GET", s3.endpoint)
        XCTAssertFalse(s3.requests.isEmpty)

        try await s3.reset()

        let seededObject = try await s3.object(bucket: "seeded", key: "many/0")
        let extraObject = try await s3.object(bucket: "extra", key: "x")
        XCTAssertNil(seededObject)
        XCTAssertNil(extraObject)
        XCTAssertEqual(s3.requests.count, 0, "reset empties the request log")
        let seeded = try await RawHTTPConnection.fetch("HEAD", try s3.presignedURL(method: "HEAD", bucket: "seeded", key: nil))
        let extra = try await RawHTTPConnection.fetch("HEAD", try s3.presignedURL(method: "HEAD", bucket: "extra", key: nil))
        XCTAssertEqual(seeded.status, 200)
        XCTAssertEqual(extra.status, 404)
        let list = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "seeded", key: nil))
        XCTAssertEqual(list.status, 200)
        XCTAssertFalse(list.text.contains("<Contents>"), list.text)
    }

    func testResetDiscardsMultipartUploadsInProgressAndTheirParts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harness-reset-\(UUID().uuidString)").path
        var configuration = EmulatorConfiguration()
        configuration.storage = .directory(directory)
        configuration.durableWrites = false
        configuration.buckets = [BucketSeed(name: "seeded")]
        try await EmulatorHarness.withEmulator(configuration, options: .init(removesStorageDirectoryAtShutdown: true)) { s3 in
            let create = try await RawHTTPConnection.fetch(
                "POST", try s3.presignedURL(method: "POST", bucket: "seeded", key: "big", query: ["uploads": ""])
            )
            XCTAssertEqual(create.status, 200, create.text)
            let uploadID = try XCTUnwrap(create.text.range(of: "<UploadId>").flatMap { start in
                create.text.range(of: "</UploadId>").map { String(create.text[start.upperBound..<$0.lowerBound]) }
            })
            let part = try await RawHTTPConnection.fetch(
                "PUT", try s3.presignedURL(method: "PUT", bucket: "seeded", key: "big", query: ["partNumber": "1", "uploadId": uploadID]),
                body: [UInt8](repeating: 7, count: 1024)
            )
            XCTAssertEqual(part.status, 200, part.text)
            try await s3.putObject(bucket: "seeded", key: "small", data: Data("x".utf8))
            XCTAssertEqual(try Self.files(under: directory + "/blobs").count, 2, "the part and the object are stored as blobs")

            try await s3.reset()

            let uploads = try await RawHTTPConnection.fetch("GET", try s3.presignedURL(bucket: "seeded", key: nil, query: ["uploads": ""]))
            XCTAssertEqual(uploads.status, 200, uploads.text)
            XCTAssertFalse(uploads.text.contains(uploadID), uploads.text)
            XCTAssertEqual(try Self.files(under: directory + "/blobs"), [], "no blob outlives reset")
        }
    }

    /// Regular files below `path`, recursively.
    private static func files(under path: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let name = enumerator.nextObject() as? String {
            if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeRegular {
                files.append(name)
            }
        }
        return files
    }

    func testSeedingIsNotLoggedAsRequests() async throws {
        try await s3.createBucket("quiet")
        try await s3.putObject(bucket: "quiet", key: "k", data: Data())
        _ = try await s3.object(bucket: "quiet", key: "k")
        XCTAssertEqual(s3.requests.count, 0)
    }
}
