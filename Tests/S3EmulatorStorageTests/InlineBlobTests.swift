import Foundation
import XCTest

@testable import S3EmulatorStorage

/// Inline blobs: a small object's bytes stored in the database with its row, written and
/// released in the transactions that write and drop the row.
final class InlineBlobTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    private func makeStore(versioning: BucketVersioning? = nil) throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        if let versioning {
            XCTAssertTrue(try store.setBucketConfiguration(bucket: "b", name: BucketVersioning.configurationName, value: versioning.rawValue))
        }
        return store
    }

    private func record(_ key: String, blob: String, size: Int64 = 3) -> ObjectRecord {
        ObjectRecord(bucket: "b", key: key, size: size, etag: "etag-" + blob, lastModified: date, blobID: blob)
    }

    /// Puts `bytes` inline under `key`; returns the blob id and the replaced blob file.
    private func putInline(_ store: MetadataStore, _ key: String, _ bytes: [UInt8]) throws -> (id: String, replaced: String?) {
        let id = BlobID.randomInline()
        guard case .stored(let replaced, _) = try store.putObject(record(key, blob: id, size: Int64(bytes.count)), inlineBytes: bytes, precondition: .none)
        else {
            XCTFail("not stored")
            return (id, nil)
        }
        return (id, replaced)
    }

    func testInlineIDsNeverNameFiles() {
        let id = BlobID.randomInline()
        XCTAssertTrue(id.hasSuffix(".inline"))
        XCTAssertTrue(BlobID.isInline(id))
        XCTAssertFalse(BlobID.isValid(id), "an inline id is not a file name")
        XCTAssertFalse(BlobID.isInline(BlobID.random()))
        XCTAssertFalse(BlobID.isInline("../etc/passwd.inline"))
    }

    func testTimeOrderedIDsSortByTimeAndStayUnique() {
        let early = BlobID.timeOrdered(date)
        let late = BlobID.timeOrdered(date.addingTimeInterval(0.001))
        XCTAssertLessThan(early, late)
        XCTAssertTrue(early.hasPrefix(BlobID.millisecondsHex(date)))
        XCTAssertEqual(BlobID.millisecondsHex(Date(timeIntervalSince1970: 1_700_000_000)), "018bcfe56800")
        XCTAssertEqual(BlobID.millisecondsHex(Date(timeIntervalSince1970: 0)), "000000000000")
        XCTAssertTrue(BlobID.isPlain(early), "32 lowercase hex digits, like a random id")
        XCTAssertNotEqual(BlobID.timeOrdered(date), BlobID.timeOrdered(date), "80 random bits follow the time")
        XCTAssertLessThan(BlobID.timeOrdered(Date(timeIntervalSince1970: 0)), early)
        XCTAssertTrue(BlobID.isInline(BlobID.randomInline()))
    }

    func testAVersionIsReadWithItsInlineBytesUpToTheLimitAndOnlyThen() throws {
        let store = try makeStore(versioning: .enabled)
        let smallID = BlobID.randomInline()
        guard case .stored(_, let smallVersion?) = try store.putObject(
            record("k", blob: smallID, size: 5), inlineBytes: Array("small".utf8), precondition: .none
        ) else {
            return XCTFail("not stored with a version id")
        }
        var found = try XCTUnwrap(store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 5))
        XCTAssertEqual(found.record.blobID, smallID)
        XCTAssertEqual(found.inlineBytes, Array("small".utf8))
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 4)?.inlineBytes, "over the limit")
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 0)?.inlineBytes)

        // A newer version in a file: the latest has no inline bytes; the older one, named, has.
        guard case .stored(_, let fileVersion) = try store.putObject(record("k", blob: "file-blob", size: 3), precondition: .none) else {
            return XCTFail("not stored")
        }
        found = try XCTUnwrap(store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 1 << 20))
        XCTAssertEqual(found.record.versionID, fileVersion)
        XCTAssertNil(found.inlineBytes)
        found = try XCTUnwrap(store.objectVersion(bucket: "b", key: "k", version: .id(smallVersion), inlineBytesUpTo: 1 << 20))
        XCTAssertEqual(found.inlineBytes, Array("small".utf8))

        // A delete marker has no bytes; a missing key has no version.
        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        found = try XCTUnwrap(store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 1 << 20))
        XCTAssertTrue(found.record.isDeleteMarker)
        XCTAssertNil(found.inlineBytes)
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "missing", version: .latest, inlineBytesUpTo: 1 << 20))
    }

    func testAPutStoresTheBytesWithTheRowAndAnOverwriteReleasesThem() throws {
        let store = try makeStore()
        let first = try putInline(store, "k", Array("one".utf8))
        XCTAssertNil(first.replaced)
        XCTAssertEqual(try store.inlineBlob(first.id), Array("one".utf8))
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.blobID, first.id)

        let second = try putInline(store, "k", [])
        XCTAssertNil(second.replaced, "a replaced inline blob is released in the transaction, not handed back")
        XCTAssertNil(try store.inlineBlob(first.id))
        XCTAssertEqual(try store.inlineBlob(second.id), [], "an empty body is an inline blob too")

        // A file blob replacing an inline one, and the other way round.
        guard case .stored(let replaced, _) = try store.putObject(record("k", blob: "file-blob"), precondition: .none) else {
            return XCTFail("not stored")
        }
        XCTAssertNil(replaced)
        XCTAssertNil(try store.inlineBlob(second.id))
        XCTAssertEqual(try putInline(store, "k", [1, 2, 3]).replaced, "file-blob", "a replaced file is the caller's to remove")
        XCTAssertEqual(try store.orphanedInlineBlobCount(), 0)
    }

    func testAFailedPreconditionStoresNothing() throws {
        let store = try makeStore()
        _ = try putInline(store, "k", [1])
        let id = BlobID.randomInline()
        XCTAssertEqual(try store.putObject(record("k", blob: id), inlineBytes: [2], precondition: .ifNoneMatchAny), .preconditionFailed)
        XCTAssertNil(try store.inlineBlob(id))
        XCTAssertEqual(try store.putObject(record("k", blob: id), inlineBytes: [2], precondition: .ifMatch("nope")), .preconditionFailed)
        XCTAssertNil(try store.inlineBlob(id))
        let missing = ObjectRecord(bucket: "none", key: "k", size: 1, etag: "e", lastModified: date, blobID: id)
        XCTAssertEqual(try store.putObject(missing, inlineBytes: [2], precondition: .none), .noSuchBucket)
        XCTAssertNil(try store.inlineBlob(id))
    }

    func testBytesAndIDMustAgree() throws {
        let store = try makeStore()
        XCTAssertThrowsError(try store.putObject(record("k", blob: BlobID.randomInline()), precondition: .none))
        XCTAssertThrowsError(try store.putObject(record("k", blob: BlobID.random()), inlineBytes: [1], precondition: .none))
        XCTAssertNil(try store.object(bucket: "b", key: "k"))
    }

    func testDeletesReleaseTheBytes() throws {
        let store = try makeStore()
        let put = try putInline(store, "k", [7])
        let result = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertNil(result.removedBlobID)
        XCTAssertNil(try store.inlineBlob(put.id))

        let a = try putInline(store, "a", [1])
        let b = try putInline(store, "b", [2])
        XCTAssertEqual(try store.removeAllObjects(bucket: "b"), [])
        XCTAssertNil(try store.inlineBlob(a.id))
        XCTAssertNil(try store.inlineBlob(b.id))
        XCTAssertEqual(try store.orphanedInlineBlobCount(), 0)
    }

    func testVersionsKeepTheirBytesUntilTheyAreDeletedForGood() throws {
        let store = try makeStore(versioning: .enabled)
        let old = try putInline(store, "k", Array("old".utf8))
        let new = try putInline(store, "k", Array("new".utf8))
        XCTAssertNil(new.replaced)
        XCTAssertEqual(try store.inlineBlob(old.id), Array("old".utf8), "a noncurrent version keeps its bytes")
        let oldVersion = try XCTUnwrap(try store.objectVersion(bucket: "b", key: "k", version: .latest)).versionID
        XCTAssertNotNil(oldVersion)

        // A delete marker hides both; neither loses its bytes.
        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertNotNil(try store.inlineBlob(old.id))
        XCTAssertNotNil(try store.inlineBlob(new.id))

        let versions = try store.listObjectVersions(bucket: "b", prefix: "", delimiter: nil, keyMarker: nil, versionIDMarker: nil, maxKeys: 10)
            .entries.map(\.record).filter { !$0.isDeleteMarker }
        XCTAssertEqual(versions.map(\.blobID), [new.id, old.id])
        for version in versions {
            let result = try store.deleteObject(bucket: "b", key: "k", version: .id(try XCTUnwrap(version.versionID)), now: date)
            XCTAssertNil(result.removedBlobID)
            XCTAssertNil(try store.inlineBlob(version.blobID))
        }
        XCTAssertEqual(try store.orphanedInlineBlobCount(), 0)
    }

    func testSuspendedVersioningReleasesTheNullVersion() throws {
        let store = try makeStore(versioning: .suspended)
        let first = try putInline(store, "k", [1])
        let second = try putInline(store, "k", [2])
        XCTAssertNil(second.replaced)
        XCTAssertNil(try store.inlineBlob(first.id), "the null version was replaced")
        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertNil(try store.inlineBlob(second.id), "a null delete marker replaces the null version")
        XCTAssertEqual(try store.orphanedInlineBlobCount(), 0)
    }

    func testCompletingAMultipartUploadReleasesTheObjectItReplaces() throws {
        let store = try makeStore()
        let put = try putInline(store, "k", [1])
        let upload = MultipartUploadRecord(uploadID: "0000000000000001", bucket: "b", key: "k", initiated: date)
        XCTAssertTrue(try store.createMultipartUpload(upload))
        XCTAssertEqual(
            try store.putPart(
                uploadID: upload.uploadID, bucket: "b", key: "k",
                PartRecord(partNumber: 1, size: 1, etag: "p", lastModified: date, blobID: "part-blob")
            ),
            .stored(replacedBlobID: nil)
        )
        let result = try store.completeMultipartUpload(
            uploadID: upload.uploadID, object: record("k", blob: "part-blob"), parts: [(1, "part-blob")], precondition: .none
        )
        XCTAssertEqual(result, .completed(replacedBlobID: nil, discardedBlobIDs: [], versionID: nil))
        XCTAssertNil(try store.inlineBlob(put.id))
    }

    func testAFileDatabaseKeepsInlineBlobsAcrossReopening() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/metadata.sqlite"
        var id = ""
        do {
            let store = try MetadataStore(path: path)
            XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            id = try putInline(store, "k", Array(repeating: 0xAB, count: MetadataStore.inlineBlobLimit)).id
        }
        let reopened = try MetadataStore(path: path)
        XCTAssertEqual(try reopened.inlineBlob(id), Array(repeating: 0xAB, count: MetadataStore.inlineBlobLimit))
    }

    func testADatabaseFromBeforeInlineBlobsIsMigratedAndKeepsItsObjects() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.databaseAfter(
            migrations: 4,
            then: """
                INSERT INTO buckets (name, creation_date, region) VALUES ('b', 0, 'us-east-1');
                INSERT INTO objects (bucket, key, size, etag, last_modified, blob_id, metadata) VALUES ('b', CAST('k' AS BLOB), 3, 'e', 0, 'file-blob', '{}')
                """
        )
        let store = try MetadataStore(path: path)
        XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA user_version") }, Int64(SchemaMigration.all.count))
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.blobID, "file-blob")
        let put = try putInline(store, "k", [9])
        XCTAssertEqual(put.replaced, "file-blob")
        XCTAssertEqual(try store.inlineBlob(put.id), [9])
    }

    func testTheBlobStoreReadsInlineBlobsThroughItsSource() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore()
        let blobs = try BlobStore(directory: directory.path, durable: false, inlineBlobs: store.inlineBlob)
        let put = try putInline(store, "k", Array("hello, world".utf8))

        let reader = try blobs.openReader(put.id)
        XCTAssertEqual(reader.size, 12)
        var buffer = [UInt8](repeating: 0, count: 5)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(offset: 7, into: $0) }, 5)
        XCTAssertEqual(buffer, Array("world".utf8))
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(offset: 12, into: $0) }, 0)
        // The reader holds the bytes: it reads on after the object is gone, as a file reader does.
        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(offset: 0, into: $0) }, 5)
        XCTAssertEqual(buffer, Array("hello".utf8))
        reader.close()

        XCTAssertThrowsError(try blobs.openReader(put.id)) { error in
            XCTAssertTrue((error as? StorageError)?.isNotFound == true, "\(error)")
        }
        blobs.remove(put.id)  // no file: nothing to do, and no crash
        XCTAssertEqual(try blobs.sweep(keeping: []).removedBlobs, 0)
    }
}
