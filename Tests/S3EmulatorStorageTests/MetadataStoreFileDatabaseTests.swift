import CSQLite
import Dispatch
import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreFileDatabaseTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let date = Date(timeIntervalSince1970: 1_700_000_000.5)

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private var databasePath: String { directory.path + "/metadata.sqlite" }

    func testReopenedFileDatabaseKeepsBucketsAndObjects() throws {
        let bucket = BucketRecord(name: "kept", creationDate: date, region: "eu-central-1")
        var object = ObjectRecord(bucket: "kept", key: "dir/ключ", size: 7, etag: "abc", lastModified: date, blobID: "blob")
        object.metadata.userMetadata = ["k": "v"]
        do {
            let store = try MetadataStore(path: databasePath)
            XCTAssertTrue(try store.createBucket(bucket))
            XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        }
        let reopened = try MetadataStore(path: databasePath)
        XCTAssertEqual(try reopened.buckets(), [bucket])
        XCTAssertEqual(try reopened.object(bucket: "kept", key: "dir/ключ"), object)
        XCTAssertNil(try reopened.object(bucket: "kept", key: "dir/missing"))
        XCTAssertNil(try reopened.bucket(named: "missing"))
        XCTAssertTrue(try reopened.integrityCheck())
    }

    func testFileDatabaseRunsInWALMode() throws {
        let store = try MetadataStore(path: databasePath)
        XCTAssertEqual(try store.write { try $0.scalarString("PRAGMA journal_mode") }, "wal")
        XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA foreign_keys") }, 1)
        XCTAssertEqual(try store.read { try $0.scalarInt("PRAGMA query_only") }, 1)
    }

    func testSynchronousFollowsTheDurableFlag() throws {
        // synchronous: 1 = NORMAL, 2 = FULL.
        let normal = try MetadataStore(path: databasePath, durable: false)
        XCTAssertEqual(try normal.write { try $0.scalarInt("PRAGMA synchronous") }, 1)
        let full = try MetadataStore(path: directory.path + "/durable.sqlite", durable: true)
        XCTAssertEqual(try full.write { try $0.scalarInt("PRAGMA synchronous") }, 2)
    }

    func testMigrationsAreAppliedOnceAndReopeningIsIdempotent() throws {
        for _ in 0..<3 {
            let store = try MetadataStore(path: databasePath)
            XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA user_version") }, Int64(SchemaMigration.all.count))
            _ = try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1"))
        }
        let store = try MetadataStore(path: databasePath)
        XCTAssertEqual(try store.buckets().count, 1)
        // Migrating an up-to-date connection again changes nothing.
        try store.write { try MetadataStore.migrate($0) }
        XCTAssertEqual(try store.buckets().count, 1)
    }

    func testOpeningADatabaseFromANewerVersionFails() throws {
        do {
            let store = try MetadataStore(path: databasePath)
            try store.write { try $0.execute("PRAGMA user_version = 99") }
        }
        XCTAssertThrowsError(try MetadataStore(path: databasePath)) { error in
            XCTAssertTrue("\(error)".contains("schema version 99"), "\(error)")
        }
    }

    func testOpeningAFileThatIsNotADatabaseFails() throws {
        try Data("this is not a database, just text that is long enough to fill a header....".utf8)
            .write(to: URL(fileURLWithPath: databasePath))
        XCTAssertThrowsError(try MetadataStore(path: databasePath)) { error in
            XCTAssertEqual((error as? StorageError)?.sqliteCode.map { $0 & 0xFF }, SQLITE_NOTADB, "\(error)")
        }
    }

    func testReadersSeeCommittedWritesAtOnce() throws {
        let store = try MetadataStore(path: databasePath)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        for index in 0..<(MetadataStore.readerCount * 3) {
            let object = ObjectRecord(bucket: "b", key: "k", size: Int64(index), etag: "e\(index)", lastModified: date, blobID: "blob\(index)")
            _ = try store.putObject(object, precondition: .none)
            XCTAssertEqual(try store.object(bucket: "b", key: "k")?.etag, "e\(index)")
        }
    }

    func testConcurrentPutsFromManyThreadsAreAllStored() throws {
        for path in [databasePath, nil] {
            let store = try MetadataStore(path: path)
            XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            let failures = Mutex<[String]>([])
            let date = self.date
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                do {
                    for index in 0..<100 {
                        let key = "t\(thread)/\(index)"
                        let object = ObjectRecord(bucket: "b", key: key, size: 1, etag: "e", lastModified: date, blobID: "\(thread)-\(index)")
                        guard try store.putObject(object, precondition: .ifNoneMatchAny) == .stored(replacedBlobID: nil, versionID: nil) else {
                            failures.withLock { $0.append("put \(key)") }
                            continue
                        }
                        if try store.object(bucket: "b", key: key)?.blobID != "\(thread)-\(index)" {
                            failures.withLock { $0.append("read \(key)") }
                        }
                        _ = try store.listObjects(bucket: "b", prefix: "t\(thread)/", delimiter: "/", marker: nil, maxKeys: 10)
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            XCTAssertEqual(failures.withLock { $0 }, [], path ?? "memory")
            let listing = try store.listObjects(bucket: "b", prefix: "", delimiter: nil, marker: nil, maxKeys: 1000)
            XCTAssertEqual(listing.objects.count, 800, path ?? "memory")
            XCTAssertEqual(try store.liveBlobIDs().count, 800, path ?? "memory")
        }
    }

    func testConcurrentReplacesOfOneKeyReportEveryReplacedBlobExactlyOnce() throws {
        let store = try MetadataStore(path: databasePath)
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        let replaced = Mutex<[String]>([])
        let date = self.date
        DispatchQueue.concurrentPerform(iterations: 6) { thread in
            for index in 0..<50 {
                let object = ObjectRecord(bucket: "b", key: "hot", size: 1, etag: "e", lastModified: date, blobID: "\(thread)-\(index)")
                if case .stored(let blob?, _) = try? store.putObject(object, precondition: .none) {
                    replaced.withLock { $0.append(blob) }
                }
            }
        }
        let written = Set((0..<6).flatMap { thread in (0..<50).map { "\(thread)-\($0)" } })
        let replacedBlobs = replaced.withLock { $0 }
        XCTAssertEqual(replacedBlobs.count, 299)
        XCTAssertEqual(Set(replacedBlobs).union(try store.liveBlobIDs()), written)
        XCTAssertEqual(Set(replacedBlobs).count, 299)
    }
}
