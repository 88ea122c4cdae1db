import Dispatch
import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

/// The cache of current versions behind ``MetadataStore/objectVersion(bucket:key:version:inlineBytesUpTo:)``:
/// what it answers, and that no write leaves a stale answer in it.
final class CurrentObjectCacheTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    private func record(_ key: String, etag: String = "e", size: Int64 = 3, blob: String = BlobID.randomInline()) -> ObjectRecord {
        ObjectRecord(bucket: "b", key: key, size: size, etag: etag, lastModified: date, blobID: blob)
    }

    // MARK: The cache on its own

    func testAnEntryIsFoundOnlyInTheGenerationItWasReadIn() {
        let cache = CurrentObjectCache()
        cache.store(.init(record: record("k"), inlineBytes: [1, 2, 3], inlineLimit: 16), bucket: "b", key: "k", generation: 4)
        XCTAssertEqual(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 4)?.inlineBytes, [1, 2, 3])
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 5), "a write has ended since")
        XCTAssertNil(cache.entry(bucket: "b", key: "other", inlineBytesUpTo: 16, generation: 4))
        XCTAssertNil(cache.entry(bucket: "c", key: "k", inlineBytesUpTo: 16, generation: 4))
    }

    func testAReadThatAWriteOvertookIsNotKept() {
        let cache = CurrentObjectCache()
        cache.store(.init(record: record("new", etag: "new"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "new", generation: 7)
        // A read that began in generation 6 and finished after a read of generation 7 stored its result.
        cache.store(.init(record: record("k", etag: "old"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k", generation: 6)
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 6))
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 7))
        XCTAssertEqual(cache.entry(bucket: "b", key: "new", inlineBytesUpTo: 0, generation: 7)?.record.etag, "new")
    }

    func testAnEntryWithoutTheBytesDoesNotAnswerAReadThatWantsThem() {
        let cache = CurrentObjectCache()
        cache.store(.init(record: record("k"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k", generation: 1)
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 1), "a HEAD needs no bytes")
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 1), "a GET of a small inline object does")
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 3, generation: 1))
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 2, generation: 1), "larger than the limit: no bytes wanted")

        cache.store(.init(record: record("file", blob: BlobID.random()), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "file", generation: 1)
        XCTAssertNotNil(cache.entry(bucket: "b", key: "file", inlineBytesUpTo: 16, generation: 1), "a blob file's bytes are never read with the row")
    }

    func testTheCacheEmptiesWhenFull() {
        let cache = CurrentObjectCache()
        for index in 0..<CurrentObjectCache.maximumEntries {
            cache.store(.init(record: record("k\(index)"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k\(index)", generation: 1)
        }
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k0", inlineBytesUpTo: 0, generation: 1))
        cache.store(.init(record: record("one-more"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "one-more", generation: 1)
        XCTAssertNil(cache.entry(bucket: "b", key: "k0", inlineBytesUpTo: 0, generation: 1))
        XCTAssertNotNil(cache.entry(bucket: "b", key: "one-more", inlineBytesUpTo: 0, generation: 1))

        let big = [UInt8](repeating: 7, count: CurrentObjectCache.maximumBytes / 2 + 1)
        cache.store(.init(record: record("big1", size: Int64(big.count)), inlineBytes: big, inlineLimit: .max), bucket: "b", key: "big1", generation: 1)
        cache.store(.init(record: record("big2", size: Int64(big.count)), inlineBytes: big, inlineLimit: .max), bucket: "b", key: "big2", generation: 1)
        XCTAssertNil(cache.entry(bucket: "b", key: "big1", inlineBytesUpTo: .max, generation: 1), "the bytes bound emptied the cache")
        XCTAssertNotNil(cache.entry(bucket: "b", key: "big2", inlineBytesUpTo: .max, generation: 1))
    }

    // MARK: Through the store

    /// A row changed behind the store's back (no write of its own) is not seen while the cache
    /// holds the key, which shows reads come from the cache; any write of the store, here to
    /// another bucket, makes the next read go to the database again.
    func testRepeatedReadsComeFromTheCacheUntilAnyWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/metadata.sqlite"
        let store = try MetadataStore(path: path)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "other", creationDate: date, region: "us-east-1")))
        _ = try store.putObject(record("k", etag: "first"), inlineBytes: Array("abc".utf8), precondition: .none)

        let first = try XCTUnwrap(store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16))
        XCTAssertEqual(first.record.etag, "first")
        XCTAssertEqual(first.inlineBytes, Array("abc".utf8))

        let outsider = try SQLiteConnection(path: path)
        try outsider.execute("UPDATE objects SET etag = 'changed' WHERE bucket = 'b' AND key = CAST('k' AS BLOB)")
        XCTAssertEqual(outsider.changes, 1)
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "first")
        XCTAssertEqual(
            try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 0)?.inlineBytes, nil,
            "a read that wants no bytes gets none from an entry that has them"
        )
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.etag, "changed", "other reads do not use the cache")

        _ = try store.putObject(
            ObjectRecord(bucket: "other", key: "x", size: 1, etag: "x", lastModified: date, blobID: BlobID.randomInline()),
            inlineBytes: [0], precondition: .none
        )
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "changed")
    }

    func testAnOverwriteAndADeleteAreSeenAtOnce() throws {
        let store = try MetadataStore(path: nil)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        _ = try store.putObject(record("k", etag: "one"), inlineBytes: Array("one".utf8), precondition: .none)
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.inlineBytes, Array("one".utf8))

        _ = try store.putObject(record("k", etag: "two"), inlineBytes: Array("two".utf8), precondition: .none)
        let overwritten = try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)
        XCTAssertEqual(overwritten?.record.etag, "two")
        XCTAssertEqual(overwritten?.inlineBytes, Array("two".utf8))

        _ = try store.deleteObject(bucket: "b", key: "k", version: .latest, now: date)
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16))
    }

    /// Readers and a writer at once: once a put has returned, no read that starts afterwards
    /// sees an older etag.
    func testNoReadAfterAPutReturnsSeesAnOlderVersion() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try MetadataStore(path: directory.path + "/metadata.sqlite")
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        _ = try store.putObject(record("k", etag: "0"), inlineBytes: [0], precondition: .none)
        let date = self.date
        let acknowledged = Atomic<Int>(0)
        let stale = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            if worker == 0 {
                for version in 1...300 {
                    let record = ObjectRecord(
                        bucket: "b", key: "k", size: 1, etag: String(version), lastModified: date, blobID: BlobID.randomInline()
                    )
                    _ = try? store.putObject(record, inlineBytes: [UInt8(version % 256)], precondition: .none)
                    acknowledged.store(version, ordering: .sequentiallyConsistent)
                }
            } else {
                while acknowledged.load(ordering: .sequentiallyConsistent) < 300 {
                    let floor = acknowledged.load(ordering: .sequentiallyConsistent)
                    guard let etag = try? store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag else {
                        continue
                    }
                    if Int(etag)! < floor { stale.add(1, ordering: .relaxed) }
                }
            }
        }
        XCTAssertEqual(stale.load(ordering: .relaxed), 0)
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "300")
    }
}
