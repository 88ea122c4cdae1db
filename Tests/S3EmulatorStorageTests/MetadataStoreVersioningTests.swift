import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreVersioningTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    private func makeStore(_ versioning: BucketVersioning?) throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        if let versioning { try setVersioning(store, versioning) }
        return store
    }

    private func setVersioning(_ store: MetadataStore, _ versioning: BucketVersioning) throws {
        XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: BucketVersioning.configurationName, value: versioning.rawValue))
    }

    /// Puts `key` with blob `blob`; returns the reported version id.
    @discardableResult
    private func put(_ store: MetadataStore, _ key: String, blob: String, replaced: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let record = ObjectRecord(bucket: "b", key: key, size: 1, etag: "etag-" + blob, lastModified: date, blobID: blob)
        guard case .stored(let replacedBlob, let versionID) = try store.putObject(record, precondition: .none) else {
            XCTFail("not stored", file: file, line: line)
            return nil
        }
        XCTAssertEqual(replacedBlob, replaced, "replaced blob", file: file, line: line)
        return versionID
    }

    private func versions(_ store: MetadataStore, prefix: String = "", delimiter: String? = nil) throws -> [String] {
        try store.listObjectVersions(bucket: "b", prefix: prefix, delimiter: delimiter, keyMarker: nil, versionIDMarker: nil, maxKeys: 1000)
            .entries.map(Self.describe)
    }

    /// `key blob-or-DM latest?` — enough to read a listing at a glance.
    private static func describe(_ entry: VersionListing.Entry) -> String {
        let record = entry.record
        return "\(record.key) \(record.isDeleteMarker ? "DM" : record.blobID)\(entry.isLatest ? " latest" : "")"
    }

    func testAnUnversionedBucketKeepsOneNullVersionPerKey() throws {
        let store = try makeStore(nil)
        XCTAssertNil(try put(store, "k", blob: "one"))
        XCTAssertNil(try put(store, "k", blob: "two", replaced: "one"))
        XCTAssertEqual(try versions(store), ["k two latest"])
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .null)?.blobID, "two")
        XCTAssertEqual(try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date), DeleteObjectResult(removedBlobID: "two"))
        XCTAssertEqual(try versions(store), [])
    }

    func testEnabledVersioningKeepsEveryVersionNewestFirst() throws {
        let store = try makeStore(nil)
        try put(store, "k", blob: "null-one")
        try setVersioning(store, .enabled)
        let first = try XCTUnwrap(try put(store, "k", blob: "one"))
        let second = try XCTUnwrap(try put(store, "k", blob: "two"))
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(VersionID.isWellFormed(first))
        XCTAssertEqual(try versions(store), ["k two latest", "k one", "k null-one"])
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.blobID, "two")
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .id(first))?.blobID, "one")
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .null)?.blobID, "null-one")
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "k", version: .id(VersionID.make())))
        XCTAssertEqual(try store.liveBlobIDs(), ["null-one", "one", "two"])
        // ListObjects sees only the current version.
        XCTAssertEqual(try store.listObjects(bucket: "b", prefix: "", delimiter: nil, marker: nil, maxKeys: 10).objects.map(\.blobID), ["two"])
    }

    func testDeletingWithVersioningEnabledAddsADeleteMarkerAndRemovingItRestoresTheObject() throws {
        let store = try makeStore(.enabled)
        let first = try XCTUnwrap(try put(store, "k", blob: "one"))
        let deleted = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertTrue(deleted.isDeleteMarker)
        XCTAssertNil(deleted.removedBlobID)
        let marker = try XCTUnwrap(deleted.versionID)
        XCTAssertEqual(try versions(store), ["k DM latest", "k one"])
        XCTAssertNil(try store.object(bucket: "b", key: "k"))
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest)?.isDeleteMarker, true)
        XCTAssertEqual(try store.listObjects(bucket: "b", prefix: "", delimiter: nil, marker: nil, maxKeys: 10).objects, [])
        XCTAssertEqual(try store.deleteBucket(named: "b"), .notEmpty)

        // A second delete adds a second marker.
        let again = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertEqual(try versions(store), ["k DM latest", "k DM", "k one"])
        // Removing the newest marker leaves the older one current; removing that restores the object.
        XCTAssertEqual(
            try store.deleteObject(bucket: "b", key: "k", version: .id(try XCTUnwrap(again.versionID)), now: date),
            DeleteObjectResult(versionID: again.versionID, isDeleteMarker: true)
        )
        XCTAssertNil(try store.object(bucket: "b", key: "k"))
        _ = try store.deleteObject(bucket: "b", key: "k", version: .id(marker), now: date)
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.versionID, first)
        XCTAssertEqual(try versions(store), ["k one latest"])
    }

    func testRemovingTheCurrentVersionMakesThePreviousOneCurrent() throws {
        let store = try makeStore(.enabled)
        try put(store, "k", blob: "one")
        let second = try XCTUnwrap(try put(store, "k", blob: "two"))
        XCTAssertEqual(
            try store.deleteObject(bucket: "b", key: "k", version: .id(second), now: date),
            DeleteObjectResult(removedBlobID: "two", versionID: second)
        )
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.blobID, "one")
        XCTAssertEqual(try versions(store), ["k one latest"])
        // A version that does not exist: nothing changes.
        XCTAssertEqual(try store.deleteObject(bucket: "b", key: "k", version: .id(second), now: date), DeleteObjectResult(versionID: second))
        XCTAssertEqual(try versions(store), ["k one latest"])
    }

    func testSuspendedVersioningReplacesOnlyTheNullVersion() throws {
        let store = try makeStore(nil)
        try put(store, "k", blob: "null-one")
        try setVersioning(store, .enabled)
        try put(store, "k", blob: "v1")
        try setVersioning(store, .suspended)
        // The new null version replaces the old (noncurrent) null version; v1 stays.
        XCTAssertEqual(try put(store, "k", blob: "null-two", replaced: "null-one"), "null")
        XCTAssertEqual(try versions(store), ["k null-two latest", "k v1"])
        XCTAssertEqual(try put(store, "k", blob: "null-three", replaced: "null-two"), "null")
        XCTAssertEqual(try versions(store), ["k null-three latest", "k v1"])
        // A delete makes a null delete marker, replacing the null version.
        XCTAssertEqual(
            try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date),
            DeleteObjectResult(removedBlobID: "null-three", versionID: "null", isDeleteMarker: true)
        )
        XCTAssertEqual(try versions(store), ["k DM latest", "k v1"])
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .null)?.isDeleteMarker, true)
        // A put replaces the null delete marker.
        XCTAssertEqual(try put(store, "k", blob: "null-four"), "null")
        XCTAssertEqual(try versions(store), ["k null-four latest", "k v1"])
    }

    func testListingPagesThroughVersionsWithKeyAndVersionMarkers() throws {
        let store = try makeStore(.enabled)
        for key in ["a", "b", "c"] {
            for index in 1...3 {
                try put(store, key, blob: "\(key)\(index)")
            }
        }
        _ = try store.deleteObject(bucket: "b", key: "b", version: .latest, now: date)
        let all = try versions(store)
        XCTAssertEqual(all, ["a a3 latest", "a a2", "a a1", "b DM latest", "b b3", "b b2", "b b1", "c c3 latest", "c c2", "c c1"])

        for pageSize in 1...4 {
            var collected: [String] = []
            var keyMarker: String?
            var versionMarker: VersionReference?
            var pages = 0
            while true {
                let page = try store.listObjectVersions(
                    bucket: "b", prefix: "", delimiter: nil, keyMarker: keyMarker, versionIDMarker: versionMarker, maxKeys: pageSize
                )
                pages += 1
                collected += page.entries.map(Self.describe)
                XCTAssertLessThanOrEqual(page.entries.count, pageSize)
                guard page.isTruncated else {
                    XCTAssertNil(page.nextKeyMarker)
                    break
                }
                keyMarker = try XCTUnwrap(page.nextKeyMarker)
                let next = try XCTUnwrap(page.nextVersionIDMarker)
                versionMarker = next == "null" ? .null : .id(next)
                XCTAssertLessThan(pages, 20)
            }
            XCTAssertEqual(collected, all, "page size \(pageSize)")
        }

        // A key marker alone starts after all of that key's versions.
        let afterB = try store.listObjectVersions(bucket: "b", prefix: "", delimiter: nil, keyMarker: "b", versionIDMarker: nil, maxKeys: 100)
        XCTAssertEqual(afterB.entries.map(Self.describe), ["c c3 latest", "c c2", "c c1"])
    }

    func testListingRollsUpCommonPrefixesOnceEach() throws {
        let store = try makeStore(.enabled)
        for key in ["dir/a", "dir/a", "dir/b", "top"] {
            try put(store, key, blob: key + UUID().uuidString)
        }
        let page = try store.listObjectVersions(bucket: "b", prefix: "", delimiter: "/", keyMarker: nil, versionIDMarker: nil, maxKeys: 2)
        XCTAssertEqual(page.commonPrefixes, ["dir/"])
        XCTAssertEqual(page.entries.map(\.record.key), ["top"])
        XCTAssertFalse(page.isTruncated)
        let inside = try store.listObjectVersions(bucket: "b", prefix: "dir/", delimiter: "/", keyMarker: nil, versionIDMarker: nil, maxKeys: 2)
        XCTAssertEqual(inside.entries.map(\.record.key), ["dir/a", "dir/a"])
        XCTAssertEqual(inside.entries.map(\.isLatest), [true, false])
        XCTAssertTrue(inside.isTruncated)
        XCTAssertEqual(inside.nextKeyMarker, "dir/a")
    }

    func testMetadataUpdatesChangeOneVersionInPlace() throws {
        let store = try makeStore(.enabled)
        let first = try XCTUnwrap(try put(store, "k", blob: "one"))
        try put(store, "k", blob: "two")
        var metadata = ObjectMetadata()
        metadata.tags = ["colour": "blue"]
        XCTAssertTrue(try store.updateObjectMetadata(bucket: "b", key: "k", versionID: first, etag: "etag-one", metadata: metadata))
        XCTAssertFalse(try store.updateObjectMetadata(bucket: "b", key: "k", versionID: first, etag: "etag-other", metadata: metadata))
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .id(first))?.metadata.tags, ["colour": "blue"])
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.metadata.tags, [:])
        XCTAssertEqual(try versions(store).count, 2, "no version was added")
    }

    func testRemoveAllObjectsEmptiesTheBucketOfEveryVersion() throws {
        let store = try makeStore(.enabled)
        try put(store, "k", blob: "one")
        try put(store, "k", blob: "two")
        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertEqual(Set(try store.removeAllObjects(bucket: "b")), ["one", "two"])
        XCTAssertEqual(try versions(store), [])
        XCTAssertEqual(try store.deleteBucket(named: "b"), .deleted)
    }

    func testADatabaseFromBeforeVersioningIsMigratedAndItsObjectsAreNullVersions() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.databaseAfter(
            migrations: 3,
            then: """
                INSERT INTO buckets (name, creation_date, region) VALUES ('b', 0, 'us-east-1');
                INSERT INTO objects (bucket, key, size, etag, last_modified, blob_id, metadata) VALUES ('b', CAST('k' AS BLOB), 1, 'e', 0, 'old', '{}')
                """
        )
        let store = try MetadataStore(path: path)
        XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA user_version") }, Int64(SchemaMigration.all.count))
        let object = try XCTUnwrap(try store.objectVersion(bucket: "b", key: "k", version: .null))
        XCTAssertEqual(object.blobID, "old")
        XCTAssertNil(object.versionID)
        try setVersioning(store, .enabled)
        try put(store, "k", blob: "new")
        XCTAssertEqual(try versions(store), ["k new latest", "k old"])
        XCTAssertTrue(try store.integrityCheck())
    }

    func testVersionIDsAreWellFormedAndDistinct() {
        let ids = (0..<1000).map { _ in VersionID.make() }
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertTrue(ids.allSatisfy(VersionID.isWellFormed))
        for bad in ["", "null", "abc", String(repeating: "a", count: 31), String(repeating: "/", count: 32), String(repeating: "é", count: 16)] {
            XCTAssertFalse(VersionID.isWellFormed(bad), bad)
        }
    }
}
