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

    /// A cache whose store has ended `writes` writes.
    private func cache(afterWrites writes: Int) -> CurrentObjectCache {
        let cache = CurrentObjectCache()
        for _ in 0..<writes {
            cache.writeBegins()
            cache.writeEnded()
        }
        return cache
    }

    func testAnEntryIsFoundOnlyInTheGenerationItWasReadIn() throws {
        let cache = cache(afterWrites: 4)
        let generation = try XCTUnwrap(cache.quietGeneration())
        XCTAssertEqual(generation, 4)
        cache.store(.init(record: record("k"), inlineBytes: [1, 2, 3], inlineLimit: 16), bucket: "b", key: "k", generation: 4)
        XCTAssertEqual(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 4)?.inlineBytes, [1, 2, 3])
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 5), "a write has ended since")
        XCTAssertNil(cache.entry(bucket: "b", key: "other", inlineBytesUpTo: 16, generation: 4))
        XCTAssertNil(cache.entry(bucket: "c", key: "k", inlineBytesUpTo: 16, generation: 4))
    }

    func testAReadThatAWriteOvertookIsNotKept() {
        let cache = cache(afterWrites: 7)
        cache.store(.init(record: record("new", etag: "new"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "new", generation: 7)
        // A read that began in generation 6 and finished after a read of generation 7 stored its result.
        cache.store(.init(record: record("k", etag: "old"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k", generation: 6)
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 6))
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 7))
        XCTAssertEqual(cache.entry(bucket: "b", key: "new", inlineBytesUpTo: 0, generation: 7)?.record.etag, "new")
    }

    /// While a write is under way (its commit may already be in the database) nothing is
    /// answered from the cache and nothing read is kept, also by a read that began before it.
    func testNothingIsUsedOrKeptWhileAWriteIsUnderWay() throws {
        let cache = cache(afterWrites: 2)
        let generation = try XCTUnwrap(cache.quietGeneration())
        cache.store(.init(record: record("k", etag: "old"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k", generation: generation)
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: generation))

        cache.writeBegins()
        cache.writeBegins()
        XCTAssertNil(cache.quietGeneration(), "two writes under way")
        cache.store(.init(record: record("j", etag: "read before"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "j", generation: generation)
        cache.writeEnded()
        XCTAssertNil(cache.quietGeneration(), "one write still under way")
        cache.writeEnded()
        let after = try XCTUnwrap(cache.quietGeneration())
        XCTAssertEqual(after, 4)
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: after))
        XCTAssertNil(cache.entry(bucket: "b", key: "j", inlineBytesUpTo: 0, generation: generation), "stored while a write was under way")
        cache.store(.init(record: record("j", etag: "late"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "j", generation: generation)
        XCTAssertNil(cache.entry(bucket: "b", key: "j", inlineBytesUpTo: 0, generation: generation), "a read of an older generation")
        XCTAssertNil(cache.entry(bucket: "b", key: "j", inlineBytesUpTo: 0, generation: after))
    }

    func testAnEntryWithoutTheBytesDoesNotAnswerAReadThatWantsThem() {
        let cache = cache(afterWrites: 1)
        cache.store(.init(record: record("k"), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "k", generation: 1)
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 0, generation: 1), "a HEAD needs no bytes")
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 16, generation: 1), "a GET of a small inline object does")
        XCTAssertNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 3, generation: 1))
        XCTAssertNotNil(cache.entry(bucket: "b", key: "k", inlineBytesUpTo: 2, generation: 1), "larger than the limit: no bytes wanted")

        cache.store(.init(record: record("file", blob: BlobID.random()), inlineBytes: nil, inlineLimit: 0), bucket: "b", key: "file", generation: 1)
        XCTAssertNotNil(cache.entry(bucket: "b", key: "file", inlineBytesUpTo: 16, generation: 1), "a blob file's bytes are never read with the row")
    }

    func testTheCacheEmptiesWhenFull() {
        let cache = cache(afterWrites: 1)
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

    /// A put queued for the writer's next group (``MetadataStore/putObject(_:inlineBytes:precondition:runningQueueWith:)``)
    /// is under way from the moment it is queued: until the queue has run and its caller has
    /// been told, reads go to the database.
    /// A store in `directory` holding `k` (inline, etag `first`, read once after every write:
    /// the cache holds it) and `others`, whose row of `k` another connection has since changed to
    /// etag `changed`, behind the cache's back.
    private func storeWithARowChangedBehindTheCache(
        in directory: TemporaryDirectory, others: [ObjectRecord] = []
    ) throws -> MetadataStore {
        let path = directory.path + "/metadata.sqlite"
        let store = try MetadataStore(path: path)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        _ = try store.putObject(record("k", etag: "first"), inlineBytes: Array("abc".utf8), precondition: .none)
        for other in others {
            _ = try store.putObject(other, precondition: .none)
        }
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "first")
        let outsider = try SQLiteConnection(path: path)
        try outsider.execute("UPDATE objects SET etag = 'changed' WHERE bucket = 'b' AND key = CAST('k' AS BLOB)")
        XCTAssertEqual(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "first")
        return store
    }

    func testAQueuedPutIsUnderWayFromTheMomentItIsQueued() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try storeWithARowChangedBehindTheCache(in: directory)

        let held = HeldQueueRun()
        let queued = record("other", etag: "queued")
        let put = Task {
            try await store.putObject(queued, inlineBytes: [1, 2, 3], precondition: .none) { job in held.hold(job) }
        }
        let job = try await held.job("the put asked for a run of the queue")
        XCTAssertEqual(
            try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "changed",
            "a read while a put waits in the queue goes to the database"
        )
        XCTAssertNil(try store.object(bucket: "b", key: "other"), "not stored before the queue runs")
        job()
        let result = try await put.value
        XCTAssertEqual(result, .stored(replacedBlobID: nil, versionID: nil))
        let stored = try XCTUnwrap(store.objectVersion(bucket: "b", key: "other", version: .latest, inlineBytesUpTo: 16))
        XCTAssertEqual(stored.record.etag, "queued")
        XCTAssertEqual(stored.inlineBytes, [1, 2, 3])
    }

    func testAQueuedDeleteIsUnderWayFromTheMomentItIsQueuedAndRemovesWhatItDeleted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try storeWithARowChangedBehindTheCache(in: directory, others: [record("file", blob: "file-blob")])
        let inlineBlobID = try XCTUnwrap(store.object(bucket: "b", key: "k")).blobID

        let held = HeldQueueRun()
        let now = date
        let delete = Task {
            try await store.deleteObject(bucket: "b", key: "k", version: .latest, now: now) { job in held.hold(job) }
        }
        let job = try await held.job("the delete asked for a run of the queue")
        XCTAssertEqual(
            try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16)?.record.etag, "changed",
            "a read while a delete waits in the queue goes to the database"
        )
        job()
        let result = try await delete.value
        XCTAssertEqual(result, DeleteObjectResult(), "an inline blob goes in the transaction")
        XCTAssertNil(try store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 16))
        XCTAssertNil(try store.inlineBlob(inlineBlobID), "the inline bytes went with the row")

        // A blob file is the caller's to remove; the queue is run where the caller says.
        let fileResult = try await store.deleteObject(bucket: "b", key: "file", version: .latest, now: date) { job in job() }
        XCTAssertEqual(fileResult, DeleteObjectResult(removedBlobID: "file-blob"))
        XCTAssertNil(try store.object(bucket: "b", key: "file"))
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

    /// A write is in the database when its group commits, which can be a while before its own
    /// caller wakes up (another caller led the group): a read that starts once the row is in the
    /// database (seen here through a connection of its own) must not be answered from the cache
    /// with the row before it. GetObject relied on that: the row before an overwrite names an
    /// inline blob the overwrite has already released, and its retries kept finding that row.
    func testNoReadThatStartsAfterAWriteIsInTheDatabaseSeesTheRowBeforeIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/metadata.sqlite"
        let store = try MetadataStore(path: path)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        _ = try store.putObject(record("k", etag: "0"), inlineBytes: [0], precondition: .none)
        let date = self.date
        let deadline = Date().addingTimeInterval(1.5)
        let stale = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        let done = DispatchGroup()
        // Two writers, so that one often commits the other's transaction in its group; more
        // threads than cores, so that a writer is often not running when its group commits.
        for key in ["k", "other"] {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                var version = 0
                while Date() < deadline {
                    version += 1
                    let record = ObjectRecord(
                        bucket: "b", key: key, size: 1, etag: String(version), lastModified: date, blobID: BlobID.randomInline()
                    )
                    _ = try? store.putObject(record, inlineBytes: [UInt8(version % 256)], precondition: .none)
                }
            }
        }
        for _ in 0..<4 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                guard let outsider = try? SQLiteConnection(path: path) else { return }
                while Date() < deadline {
                    let committed = try? outsider.withStatement(
                        "SELECT etag FROM objects WHERE bucket = 'b' AND key = CAST('k' AS BLOB)"
                    ) { statement in
                        defer { statement.reset() }
                        return try statement.step() ? Int(statement.string(0)) : nil
                    }
                    guard let committed = committed ?? nil,
                          let etag = try? store.objectVersion(bucket: "b", key: "k", version: .latest, inlineBytesUpTo: 0)?.record.etag
                    else { continue }
                    reads.add(1, ordering: .relaxed)
                    if Int(etag)! < committed { stale.add(1, ordering: .relaxed) }
                }
            }
        }
        done.wait()
        XCTAssertGreaterThan(reads.load(ordering: .relaxed), 100)
        XCTAssertEqual(stale.load(ordering: .relaxed), 0, "reads answered with a row older than the one in the database")
    }
}

/// Keeps the job a queued write asks to have run (its `runningQueueWith` argument), so that a test
/// runs the writer's queue when it chooses.
private final class HeldQueueRun: Sendable {
    private let held = Mutex<(@Sendable () -> Void)?>(nil)

    func hold(_ job: @escaping @Sendable () -> Void) {
        held.withLock { $0 = job }
    }

    /// The job, once a write has asked for a run of the queue (waiting up to 10 s).
    func job(_ message: String) async throws -> @Sendable () -> Void {
        let deadline = Date().addingTimeInterval(10)
        while held.withLock({ $0 == nil }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        return try XCTUnwrap(held.withLock { $0 }, message)
    }
}
