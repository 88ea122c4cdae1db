import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreBucketConfigurationTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    private func store(withBuckets names: String...) throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        for name in names {
            XCTAssertTrue(try store.createBucket(BucketRecord(name: name, creationDate: date, region: "us-east-1")))
        }
        return store
    }

    func testSetBucketConfigurationThenGetReturnsItAndReplacingOverwrites() throws {
        let store = try store(withBuckets: "b")
        XCTAssertNil(try store.bucketConfiguration(bucket: "b", name: "policy"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "policy", value: #"{"Version":"2012-10-17"}"#))
        XCTAssertEqual(try store.bucketConfiguration(bucket: "b", name: "policy"), #"{"Version":"2012-10-17"}"#)
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "policy", value: "second"))
        XCTAssertEqual(try store.bucketConfiguration(bucket: "b", name: "policy"), "second")
        XCTAssertNil(try store.bucketConfiguration(bucket: "b", name: "cors"))
    }

    func testSetBucketConfigurationOnAMissingBucketReturnsFalseAndStoresNothing() throws {
        let store = try store(withBuckets: "b")
        XCTAssertFalse(try store.setBucketConfiguration(bucket: "missing", name: "policy", value: "x"))
        XCTAssertFalse(try store.setBucketConfiguration(bucket: "missing", name: "policy", value: nil))
        XCTAssertNil(try store.bucketConfiguration(bucket: "missing", name: "policy"))
        XCTAssertEqual(try store.bucketConfigurations(bucket: "missing"), [:])
    }

    func testSettingNilDeletesTheConfigurationAndDeletingAnUnsetOneSucceeds() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "cors", value: "<CORSConfiguration/>"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "cors", value: nil))
        XCTAssertNil(try store.bucketConfiguration(bucket: "b", name: "cors"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "cors", value: nil))
    }

    func testBucketConfigurationsReturnsEveryNameOfThatBucketOnly() throws {
        let store = try store(withBuckets: "a", "b")
        let names = ["policy", "publicAccessBlock", "ownershipControls", "cors", "acl", "tagging", "versioning"]
        for name in names {
            XCTAssertTrue(try store.setBucketConfiguration(bucket: "a", name: name, value: "a-\(name)"))
        }
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "policy", value: "b-policy"))
        XCTAssertEqual(try store.bucketConfigurations(bucket: "a"), Dictionary(uniqueKeysWithValues: names.map { ($0, "a-\($0)") }))
        XCTAssertEqual(try store.bucketConfigurations(bucket: "b"), ["policy": "b-policy"])
    }

    func testDeletedBucketTakesItsConfigurationsAndARecreatedBucketStartsWithNone() throws {
        let store = try store(withBuckets: "b", "other")
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "policy", value: "p"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "tagging", value: "t"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "other", name: "policy", value: "kept"))
        XCTAssertEqual(try store.deleteBucket(named: "b"), .deleted)
        XCTAssertEqual(try store.write { try $0.scalarInt("SELECT count(*) FROM bucket_configurations WHERE bucket = 'b'") }, 0)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        XCTAssertEqual(try store.bucketConfigurations(bucket: "b"), [:])
        XCTAssertEqual(try store.bucketConfiguration(bucket: "other", name: "policy"), "kept")
    }

    func testNotEmptyBucketKeepsItsConfigurations() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: "versioning", value: "Enabled"))
        let object = ObjectRecord(bucket: "b", key: "k", size: 1, etag: "e", lastModified: date, blobID: "blob")
        guard case .stored(nil, let versionID?) = try store.putObject(object, precondition: .none) else {
            return XCTFail("expected a new version")
        }
        XCTAssertTrue(VersionID.isWellFormed(versionID))
        XCTAssertEqual(try store.deleteBucket(named: "b"), .notEmpty)
        XCTAssertEqual(try store.bucketConfiguration(bucket: "b", name: "versioning"), "Enabled")
    }

    func testADatabaseFromBeforeBucketConfigurationsIsMigratedAndKeepsItsRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A database as the first migration left it.
        let path = try directory.databaseAfter(
            migrations: 1, then: "INSERT INTO buckets (name, creation_date, region) VALUES ('old', 0, 'us-east-1')"
        )
        let store = try MetadataStore(path: path)
        XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA user_version") }, Int64(SchemaMigration.all.count))
        XCTAssertNotNil(try store.bucket(named: "old"))
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "old", name: "policy", value: "p"))
        XCTAssertEqual(try store.bucketConfiguration(bucket: "old", name: "policy"), "p")
    }
}
