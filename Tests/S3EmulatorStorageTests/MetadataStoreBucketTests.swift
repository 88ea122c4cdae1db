import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreBucketTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000.123)

    func testCreateBucketThenBucketNamedReturnsIt() throws {
        let store = try MetadataStore(path: nil)
        let record = BucketRecord(name: "photos", creationDate: date, region: "eu-west-1")
        XCTAssertTrue(try store.createBucket(record))
        XCTAssertEqual(try store.bucket(named: "photos"), record)
        XCTAssertNil(try store.bucket(named: "Photos"))
        XCTAssertNil(try store.bucket(named: "missing"))
    }

    func testCreateBucketThatExistsReturnsFalseAndKeepsTheOriginal() throws {
        let store = try MetadataStore(path: nil)
        let original = BucketRecord(name: "photos", creationDate: date, region: "us-east-1")
        XCTAssertTrue(try store.createBucket(original))
        XCTAssertFalse(try store.createBucket(BucketRecord(name: "photos", creationDate: Date(), region: "eu-west-1")))
        XCTAssertEqual(try store.bucket(named: "photos"), original)
    }

    func testListBucketsIsSortedByName() throws {
        let store = try MetadataStore(path: nil)
        for name in ["zeta", "alpha", "mid-1", "mid.0", "beta"] {
            XCTAssertTrue(try store.createBucket(BucketRecord(name: name, creationDate: date, region: "us-east-1")))
        }
        XCTAssertEqual(try store.buckets().map(\.name), ["alpha", "beta", "mid-1", "mid.0", "zeta"])
    }

    func testBucketCreationDateKeepsSubMillisecondPrecision() throws {
        let store = try MetadataStore(path: nil)
        let precise = Date(timeIntervalSince1970: 1_234_567_890.987_654)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: precise, region: "us-east-1")))
        XCTAssertEqual(try store.bucket(named: "b")?.creationDate, precise)
    }

    func testDeleteBucketResults() throws {
        let store = try MetadataStore(path: nil)
        XCTAssertEqual(try store.deleteBucket(named: "missing"), .noSuchBucket)

        XCTAssertTrue(try store.createBucket(BucketRecord(name: "full", creationDate: date, region: "us-east-1")))
        let object = ObjectRecord(bucket: "full", key: "k", size: 1, etag: "e", lastModified: date, blobID: "b1")
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.deleteBucket(named: "full"), .notEmpty)
        XCTAssertNotNil(try store.bucket(named: "full"))

        XCTAssertEqual(try store.deleteObject(bucket: "full", key: "k", version: .latest, now: date).removedBlobID, "b1")
        XCTAssertEqual(try store.deleteBucket(named: "full"), .deleted)
        XCTAssertNil(try store.bucket(named: "full"))
        XCTAssertEqual(try store.deleteBucket(named: "full"), .noSuchBucket)
        XCTAssertEqual(try store.buckets(), [])
    }

    func testRecreatedBucketStartsEmpty() throws {
        let store = try MetadataStore(path: nil)
        let bucket = BucketRecord(name: "again", creationDate: date, region: "us-east-1")
        XCTAssertTrue(try store.createBucket(bucket))
        XCTAssertEqual(try store.deleteBucket(named: "again"), .deleted)
        XCTAssertTrue(try store.createBucket(bucket))
        XCTAssertEqual(try store.listObjects(bucket: "again", prefix: "", delimiter: nil, marker: nil, maxKeys: 1000).objects, [])
    }
}
