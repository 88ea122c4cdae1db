import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreObjectTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000.456)

    private func makeStore(bucket: String = "bucket") throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: bucket, creationDate: date, region: "us-east-1")))
        return store
    }

    private func record(_ key: String, blob: String, etag: String = "d41d8cd98f00b204e9800998ecf8427e", bucket: String = "bucket") -> ObjectRecord {
        ObjectRecord(bucket: bucket, key: key, size: 42, etag: etag, lastModified: date, blobID: blob)
    }

    func testPutObjectThenGetReturnsTheSameRecord() throws {
        let store = try makeStore()
        let metadata = ObjectMetadata(
            contentType: "text/plain; charset=utf-8",
            cacheControl: "no-cache",
            contentDisposition: "attachment; filename=\"a b.txt\"",
            contentEncoding: "gzip",
            contentLanguage: "fr",
            expires: "Thu, 01 Dec 1994 16:00:00 GMT",
            userMetadata: ["author": "Zoë", "empty": "", "slash/key": "a/b"],
            checksums: ["CRC32": "AAAAAA==", "SHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
            checksumType: "FULL_OBJECT",
            storageClass: "STANDARD_IA"
        )
        var object = record("photos/2024/cat.jpg", blob: "blob-1")
        object.metadata = metadata
        object.lastModified = Date(timeIntervalSince1970: 1_700_000_000.123_456)
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.object(bucket: "bucket", key: "photos/2024/cat.jpg"), object)
    }

    func testObjectWithoutMetadataRoundTrips() throws {
        let store = try makeStore()
        let object = record("plain", blob: "b")
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.object(bucket: "bucket", key: "plain"), object)
        XCTAssertEqual(object.metadata.jsonText(), "{}")
    }

    func testGetObjectIsExactOnKeyAndBucket() throws {
        let store = try makeStore()
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "other", creationDate: date, region: "us-east-1")))
        XCTAssertEqual(try store.putObject(record("Key", blob: "b"), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertNil(try store.object(bucket: "bucket", key: "key"))
        XCTAssertNil(try store.object(bucket: "bucket", key: "Key "))
        XCTAssertNil(try store.object(bucket: "other", key: "Key"))
        XCTAssertNotNil(try store.object(bucket: "bucket", key: "Key"))
    }

    func testKeysThatLookLikePathsOrEscapesAreOrdinaryKeys() throws {
        let store = try makeStore()
        let keys = ["../../etc/passwd", "a%2Fb", "a+b", "a b", "/leading", "trailing/", "dots/./..", "é", "😀", "tab\tkey", ""]
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(try store.putObject(record(key, blob: "blob\(index)"), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        }
        for (index, key) in keys.enumerated() {
            XCTAssertEqual(try store.object(bucket: "bucket", key: key)?.blobID, "blob\(index)", key)
        }
    }

    func testPutObjectReplacingAnObjectReportsTheReplacedBlob() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.putObject(record("k", blob: "old", etag: "1"), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.putObject(record("k", blob: "new", etag: "2"), precondition: .none), .stored(replacedBlobID: "old", versionID: nil))
        let current = try store.object(bucket: "bucket", key: "k")
        XCTAssertEqual(current?.blobID, "new")
        XCTAssertEqual(current?.etag, "2")
    }

    func testPutObjectWithTheSameBlobReportsNoReplacedBlob() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.putObject(record("k", blob: "same"), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.putObject(record("k", blob: "same"), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
    }

    func testPutObjectInMissingBucketIsNoSuchBucket() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.putObject(record("k", blob: "b", bucket: "missing"), precondition: .none), .noSuchBucket)
        XCTAssertNil(try store.object(bucket: "missing", key: "k"))
    }

    func testConditionalPutObjectPreconditions() throws {
        struct Case {
            let name: String
            let existingETag: String?
            let precondition: WritePrecondition
            let stored: Bool
        }
        let cases = [
            Case(name: "none on missing", existingETag: nil, precondition: .none, stored: true),
            Case(name: "none on existing", existingETag: "abc", precondition: .none, stored: true),
            Case(name: "If-None-Match * on missing", existingETag: nil, precondition: .ifNoneMatchAny, stored: true),
            Case(name: "If-None-Match * on existing", existingETag: "abc", precondition: .ifNoneMatchAny, stored: false),
            Case(name: "If-Match etag on matching", existingETag: "abc", precondition: .ifMatch("abc"), stored: true),
            Case(name: "If-Match etag on mismatch", existingETag: "abc", precondition: .ifMatch("abd"), stored: false),
            Case(name: "If-Match etag is case-sensitive", existingETag: "abc", precondition: .ifMatch("ABC"), stored: false),
            Case(name: "If-Match etag on missing", existingETag: nil, precondition: .ifMatch("abc"), stored: false),
            Case(name: "If-Match * on existing", existingETag: "abc", precondition: .ifMatch("*"), stored: true),
            Case(name: "If-Match * on missing", existingETag: nil, precondition: .ifMatch("*"), stored: false),
        ]
        for testCase in cases {
            let store = try makeStore()
            if let etag = testCase.existingETag {
                XCTAssertEqual(try store.putObject(record("k", blob: "old", etag: etag), precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
            }
            let result = try store.putObject(record("k", blob: "new", etag: "fresh"), precondition: testCase.precondition)
            let current = try store.object(bucket: "bucket", key: "k")
            if testCase.stored {
                XCTAssertEqual(result, .stored(replacedBlobID: testCase.existingETag == nil ? nil : "old", versionID: nil), testCase.name)
                XCTAssertEqual(current?.blobID, "new", testCase.name)
            } else {
                XCTAssertEqual(result, .preconditionFailed, testCase.name)
                XCTAssertEqual(current?.blobID, testCase.existingETag == nil ? nil : "old", testCase.name)
            }
        }
    }

    func testDeleteObjectReturnsTheRemovedBlob() throws {
        let store = try makeStore()
        let object = record("gone", blob: "blob-gone")
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.deleteObject(bucket: "bucket", key: "gone", version: .latest, now: date), DeleteObjectResult(removedBlobID: "blob-gone"))
        XCTAssertNil(try store.object(bucket: "bucket", key: "gone"))
        XCTAssertEqual(try store.deleteObject(bucket: "bucket", key: "gone", version: .latest, now: date), DeleteObjectResult())
        XCTAssertEqual(try store.deleteObject(bucket: "missing", key: "gone", version: .latest, now: date), DeleteObjectResult())
    }

    func testLiveBlobIDsAreTheBlobsOfAllObjects() throws {
        let store = try makeStore()
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "second", creationDate: date, region: "us-east-1")))
        XCTAssertEqual(try store.liveBlobIDs(), [])
        _ = try store.putObject(record("a", blob: "b1"), precondition: .none)
        _ = try store.putObject(record("b", blob: "b2"), precondition: .none)
        _ = try store.putObject(record("a", blob: "b3", bucket: "second"), precondition: .none)
        _ = try store.putObject(record("a", blob: "b4"), precondition: .none)
        _ = try store.deleteObject(bucket: "bucket", key: "b", version: .latest, now: date)
        XCTAssertEqual(try store.liveBlobIDs(), ["b3", "b4"])
    }

    func testIntegrityCheckOfAFreshDatabaseIsOK() throws {
        let store = try makeStore()
        _ = try store.putObject(record("a", blob: "b1"), precondition: .none)
        XCTAssertTrue(try store.integrityCheck())
    }

    func testCorruptMetadataJSONIsAStorageError() throws {
        let store = try makeStore()
        _ = try store.putObject(record("a", blob: "b1"), precondition: .none)
        try store.write { connection in
            try connection.execute("UPDATE objects SET metadata = '{\"userMetadata\": 7}'")
        }
        XCTAssertThrowsError(try store.object(bucket: "bucket", key: "a")) { error in
            XCTAssertTrue("\(error)".contains("unreadable object metadata"), "\(error)")
        }
    }
}
