import Foundation
import XCTest

@testable import S3EmulatorStorage

final class MetadataStoreMultipartTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_700_000_000.25)

    private func store(withBuckets names: String...) throws -> MetadataStore {
        let store = try MetadataStore(path: nil)
        for name in names {
            XCTAssertTrue(try store.createBucket(BucketRecord(name: name, creationDate: date, region: "us-east-1")))
        }
        return store
    }

    private func upload(_ key: String, id: String, bucket: String = "b", at seconds: Double = 0) -> MultipartUploadRecord {
        MultipartUploadRecord(
            uploadID: id, bucket: bucket, key: key, initiated: date.addingTimeInterval(seconds), initiator: "root",
            checksumAlgorithm: "CRC32", metadata: ObjectMetadata(contentType: "text/plain", userMetadata: ["a": "1"], checksumType: "COMPOSITE")
        )
    }

    private func part(_ number: Int, blob: String, size: Int64 = 5 << 20) -> PartRecord {
        PartRecord(partNumber: number, size: size, etag: "etag\(number)", lastModified: date, blobID: blob, checksum: "crc\(number)")
    }

    func testCreateMultipartUploadThenMultipartUploadReturnsItWithItsMetadata() throws {
        let store = try store(withBuckets: "b")
        let record = upload("dir/ключ", id: "u1")
        XCTAssertTrue(try store.createMultipartUpload(record))
        XCTAssertEqual(try store.multipartUpload(uploadID: "u1"), record)
        XCTAssertNil(try store.multipartUpload(uploadID: "u2"))
    }

    func testCreateMultipartUploadInAMissingBucketReturnsFalse() throws {
        let store = try store(withBuckets: "b")
        XCTAssertFalse(try store.createMultipartUpload(upload("k", id: "u1", bucket: "missing")))
        XCTAssertNil(try store.multipartUpload(uploadID: "u1"))
    }

    func testUploadIDsSortByInitiationTimeAndAreDistinct() {
        let early = MultipartUploadRecord.makeUploadID(initiated: date)
        let late = MultipartUploadRecord.makeUploadID(initiated: date.addingTimeInterval(0.002))
        XCTAssertLessThan(early, late)
        XCTAssertNotEqual(MultipartUploadRecord.makeUploadID(initiated: date), MultipartUploadRecord.makeUploadID(initiated: date))
        XCTAssertEqual(early.count, 44)
        XCTAssertTrue(early.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        XCTAssertLessThan(MultipartUploadRecord.makeUploadID(initiated: Date(timeIntervalSince1970: 0)), early)
    }

    func testPutPartRecordsPartsAndAReuploadReturnsTheReplacedBlob() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        XCTAssertEqual(try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(2, blob: "p2")), .stored(replacedBlobID: nil))
        XCTAssertEqual(try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1")), .stored(replacedBlobID: nil))
        XCTAssertEqual(try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(2, blob: "p2b", size: 7)), .stored(replacedBlobID: "p2"))
        XCTAssertEqual(try store.parts(uploadID: "u1"), [part(1, blob: "p1"), part(2, blob: "p2b", size: 7)])
    }

    func testPutPartToAnUnknownUploadOrAnotherKeyIsNoSuchUpload() throws {
        let store = try store(withBuckets: "b", "c")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        let cases: [(uploadID: String, bucket: String, key: String)] = [("nope", "b", "k"), ("u1", "b", "other"), ("u1", "c", "k"), ("u1", "b", "K")]
        for (uploadID, bucket, key) in cases {
            XCTAssertEqual(try store.putPart(uploadID: uploadID, bucket: bucket, key: key, part(1, blob: "p")), .noSuchUpload, "\(uploadID) \(bucket) \(key)")
        }
        XCTAssertEqual(try store.parts(uploadID: "u1"), [])
    }

    func testListPartsPagesByPartNumber() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        for number in [5, 1, 3, 10_000, 2] {
            _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(number, blob: "p\(number)"))
        }
        struct Case {
            let marker: Int
            let maxParts: Int
            let numbers: [Int]
            let isTruncated: Bool
        }
        let cases = [
            Case(marker: 0, maxParts: 1000, numbers: [1, 2, 3, 5, 10_000], isTruncated: false),
            Case(marker: 0, maxParts: 2, numbers: [1, 2], isTruncated: true),
            Case(marker: 2, maxParts: 2, numbers: [3, 5], isTruncated: true),
            Case(marker: 5, maxParts: 2, numbers: [10_000], isTruncated: false),
            Case(marker: 3, maxParts: 2, numbers: [5, 10_000], isTruncated: false),
            Case(marker: 10_000, maxParts: 2, numbers: [], isTruncated: false),
            Case(marker: 0, maxParts: 0, numbers: [], isTruncated: false),
        ]
        for test in cases {
            let listing = try store.listParts(uploadID: "u1", partNumberMarker: test.marker, maxParts: test.maxParts)
            XCTAssertEqual(listing.parts.map(\.partNumber), test.numbers, "marker \(test.marker) max \(test.maxParts)")
            XCTAssertEqual(listing.isTruncated, test.isTruncated, "marker \(test.marker) max \(test.maxParts)")
        }
        XCTAssertEqual(try store.listParts(uploadID: "other", partNumberMarker: 0, maxParts: 10), PartListing())
    }

    func testCompleteCommitsTheObjectRemovesTheUploadAndReturnsUnusedParts() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        for number in 1...4 {
            _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(number, blob: "p\(number)"))
        }
        let object = ObjectRecord(bucket: "b", key: "k", size: 10, etag: "abc-2", lastModified: date, blobID: "composite")
        let result = try store.completeMultipartUpload(
            uploadID: "u1", object: object, parts: [(1, "p1"), (3, "p3")], precondition: .none
        )
        XCTAssertEqual(result, .completed(replacedBlobID: nil, discardedBlobIDs: ["p2", "p4"], versionID: nil))
        XCTAssertEqual(try store.object(bucket: "b", key: "k"), object)
        XCTAssertNil(try store.multipartUpload(uploadID: "u1"))
        XCTAssertEqual(try store.parts(uploadID: "u1"), [])
        XCTAssertEqual(try store.liveBlobIDs(), ["composite"])
        // A second completion finds no upload.
        XCTAssertEqual(try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(1, "p1")], precondition: .none), .noSuchUpload)
    }

    func testCompleteReplacesAnExistingObjectAndReportsItsBlob() throws {
        let store = try store(withBuckets: "b")
        let old = ObjectRecord(bucket: "b", key: "k", size: 1, etag: "old", lastModified: date, blobID: "oldblob")
        XCTAssertEqual(try store.putObject(old, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        let object = ObjectRecord(bucket: "b", key: "k", size: 10, etag: "abc-1", lastModified: date, blobID: "p1")
        XCTAssertEqual(
            try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(1, "p1")], precondition: .ifMatch("old")),
            .completed(replacedBlobID: "oldblob", discardedBlobIDs: [], versionID: nil)
        )
        XCTAssertEqual(try store.object(bucket: "b", key: "k")?.etag, "abc-1")
    }

    func testCompleteWithAFailedPreconditionChangesNothing() throws {
        let store = try store(withBuckets: "b")
        let old = ObjectRecord(bucket: "b", key: "k", size: 1, etag: "old", lastModified: date, blobID: "oldblob")
        XCTAssertEqual(try store.putObject(old, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        let object = ObjectRecord(bucket: "b", key: "k", size: 10, etag: "abc-1", lastModified: date, blobID: "p1")
        for precondition in [WritePrecondition.ifNoneMatchAny, .ifMatch("other")] {
            XCTAssertEqual(try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(1, "p1")], precondition: precondition), .preconditionFailed)
        }
        XCTAssertEqual(try store.object(bucket: "b", key: "k"), old)
        XCTAssertEqual(try store.parts(uploadID: "u1").map(\.blobID), ["p1"])
    }

    func testCompleteWithPartsThatChangedSinceTheyWereReadChangesNothing() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1-again"))
        let object = ObjectRecord(bucket: "b", key: "k", size: 10, etag: "abc-1", lastModified: date, blobID: "p1")
        XCTAssertEqual(try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(1, "p1")], precondition: .none), .partsChanged)
        XCTAssertEqual(try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(2, "p2")], precondition: .none), .partsChanged)
        XCTAssertNil(try store.object(bucket: "b", key: "k"))
        XCTAssertNotNil(try store.multipartUpload(uploadID: "u1"))
    }

    func testCompleteForAnotherKeyIsNoSuchUpload() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        let object = ObjectRecord(bucket: "b", key: "other", size: 10, etag: "abc-1", lastModified: date, blobID: "p1")
        XCTAssertEqual(try store.completeMultipartUpload(uploadID: "u1", object: object, parts: [(1, "p1")], precondition: .none), .noSuchUpload)
    }

    func testAbortRemovesTheUploadAndReturnsItsPartBlobs() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u2")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(2, blob: "p2"))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        _ = try store.putPart(uploadID: "u2", bucket: "b", key: "k", part(1, blob: "q1"))
        XCTAssertNil(try store.abortMultipartUpload(uploadID: "u1", bucket: "b", key: "other"))
        XCTAssertEqual(try store.abortMultipartUpload(uploadID: "u1", bucket: "b", key: "k"), ["p1", "p2"])
        XCTAssertNil(try store.abortMultipartUpload(uploadID: "u1", bucket: "b", key: "k"))
        XCTAssertEqual(try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(3, blob: "p3")), .noSuchUpload)
        XCTAssertEqual(try store.liveBlobIDs(), ["q1"])
    }

    func testLiveBlobIDsHoldObjectsAndPartsOfUploadsInProgress() throws {
        let store = try store(withBuckets: "b")
        let object = ObjectRecord(bucket: "b", key: "o", size: 1, etag: "e", lastModified: date, blobID: "objectblob")
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(2, blob: "p2"))
        XCTAssertEqual(try store.liveBlobIDs(), ["objectblob", "p1", "p2"])
    }

    func testDeleteBucketDiscardsItsUploadsAndReturnsTheirBlobs() throws {
        let store = try store(withBuckets: "b", "c")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u2")))
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u3", bucket: "c")))
        _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        _ = try store.putPart(uploadID: "u2", bucket: "b", key: "k", part(1, blob: "q1"))
        _ = try store.putPart(uploadID: "u3", bucket: "c", key: "k", part(1, blob: "r1"))
        let deleted = try store.deleteBucketDiscardingUploads(named: "b")
        XCTAssertEqual(deleted.result, .deleted)
        XCTAssertEqual(Set(deleted.discardedBlobIDs), ["p1", "q1"])
        XCTAssertNil(try store.multipartUpload(uploadID: "u1"))
        XCTAssertEqual(try store.liveBlobIDs(), ["r1"])
        XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        XCTAssertEqual(try store.listMultipartUploads(bucket: "b", prefix: "", delimiter: nil, keyMarker: nil, uploadIDMarker: nil, maxUploads: 1000), MultipartUploadListing())
        XCTAssertEqual(try store.deleteBucket(named: "c"), .deleted)
        XCTAssertEqual(try store.liveBlobIDs(), [])
    }

    func testDeleteBucketWithObjectsKeepsItsUploads() throws {
        let store = try store(withBuckets: "b")
        XCTAssertTrue(try store.createMultipartUpload(upload("k", id: "u1")))
        let object = ObjectRecord(bucket: "b", key: "o", size: 1, etag: "e", lastModified: date, blobID: "objectblob")
        XCTAssertEqual(try store.putObject(object, precondition: .none), .stored(replacedBlobID: nil, versionID: nil))
        XCTAssertEqual(try store.deleteBucketDiscardingUploads(named: "b").result, .notEmpty)
        XCTAssertNotNil(try store.multipartUpload(uploadID: "u1"))
        XCTAssertEqual(try store.deleteBucketDiscardingUploads(named: "missing").result, .noSuchBucket)
    }

    // MARK: ListMultipartUploads

    /// Keys and upload ids (ids sort in initiation order).
    private static let listingUploads: [(key: String, id: String)] = [
        ("a.txt", "01"), ("a.txt", "02"), ("dir/x", "03"), ("dir/y", "04"), ("dir/sub/z", "05"),
        ("dir/y", "06"), ("e", "07"), ("z/1", "08"), ("é", "09"),
    ]

    private func listingStore() throws -> MetadataStore {
        let store = try store(withBuckets: "b", "other")
        for (index, entry) in Self.listingUploads.enumerated() {
            XCTAssertTrue(try store.createMultipartUpload(upload(entry.key, id: entry.id, at: Double(index))))
        }
        XCTAssertTrue(try store.createMultipartUpload(upload("a.txt", id: "00", bucket: "other")))
        return store
    }

    private func entries(_ listing: MultipartUploadListing) -> [String] {
        listing.uploads.map { "\($0.key)#\($0.uploadID)" } + listing.commonPrefixes.map { "prefix:" + $0 }
    }

    func testListMultipartUploadsTable() throws {
        let store = try listingStore()
        struct Case {
            var prefix = ""
            var delimiter: String?
            var keyMarker: String?
            var uploadIDMarker: String?
            var maxUploads = 1000
            let expected: [String]
            var isTruncated = false
            var next: (String?, String?) = (nil, nil)
        }
        let cases = [
            Case(expected: ["a.txt#01", "a.txt#02", "dir/sub/z#05", "dir/x#03", "dir/y#04", "dir/y#06", "e#07", "z/1#08", "é#09"]),
            Case(prefix: "dir/", expected: ["dir/sub/z#05", "dir/x#03", "dir/y#04", "dir/y#06"]),
            Case(delimiter: "/", expected: ["a.txt#01", "a.txt#02", "e#07", "é#09", "prefix:dir/", "prefix:z/"]),
            Case(prefix: "dir/", delimiter: "/", expected: ["dir/x#03", "dir/y#04", "dir/y#06", "prefix:dir/sub/"]),
            Case(keyMarker: "a.txt", expected: ["dir/sub/z#05", "dir/x#03", "dir/y#04", "dir/y#06", "e#07", "z/1#08", "é#09"]),
            Case(keyMarker: "dir/y", uploadIDMarker: "04", expected: ["dir/y#06", "e#07", "z/1#08", "é#09"]),
            Case(keyMarker: "dir/y", uploadIDMarker: "06", expected: ["e#07", "z/1#08", "é#09"]),
            // An upload id marker without a key marker is ignored.
            Case(uploadIDMarker: "05", maxUploads: 2, expected: ["a.txt#01", "a.txt#02"], isTruncated: true, next: ("a.txt", "02")),
            Case(maxUploads: 3, expected: ["a.txt#01", "a.txt#02", "dir/sub/z#05"], isTruncated: true, next: ("dir/sub/z", "05")),
            Case(delimiter: "/", maxUploads: 3, expected: ["a.txt#01", "a.txt#02", "prefix:dir/"], isTruncated: true, next: ("dir/", nil)),
            Case(delimiter: "/", keyMarker: "dir/", expected: ["e#07", "é#09", "prefix:z/"]),
            Case(delimiter: "/", keyMarker: "dir/x", expected: ["e#07", "é#09", "prefix:z/"]),
            Case(prefix: "zz", expected: []),
            Case(maxUploads: 0, expected: []),
        ]
        for test in cases {
            let listing = try store.listMultipartUploads(
                bucket: "b", prefix: test.prefix, delimiter: test.delimiter, keyMarker: test.keyMarker,
                uploadIDMarker: test.uploadIDMarker, maxUploads: test.maxUploads
            )
            let label = "prefix \(test.prefix) delimiter \(test.delimiter ?? "-") marker \(test.keyMarker ?? "-")/\(test.uploadIDMarker ?? "-") max \(test.maxUploads)"
            XCTAssertEqual(entries(listing).sorted(), test.expected.sorted(), label)
            XCTAssertEqual(listing.isTruncated, test.isTruncated, label)
            XCTAssertEqual(listing.nextKeyMarker, test.next.0, label)
            XCTAssertEqual(listing.nextUploadIDMarker, test.next.1, label)
        }
    }

    func testListMultipartUploadsPagesThroughEveryUploadOnce() throws {
        let store = try listingStore()
        for delimiter in [nil, "/"] {
            for pageSize in 1...4 {
                var seen: [String] = []
                var keyMarker: String?
                var uploadIDMarker: String?
                for _ in 0..<20 {
                    let page = try store.listMultipartUploads(
                        bucket: "b", prefix: "", delimiter: delimiter, keyMarker: keyMarker, uploadIDMarker: uploadIDMarker, maxUploads: pageSize
                    )
                    seen += entries(page)
                    guard page.isTruncated else { break }
                    keyMarker = page.nextKeyMarker
                    uploadIDMarker = page.nextUploadIDMarker
                }
                let expected = delimiter == nil ? 9 : 6
                XCTAssertEqual(seen.count, expected, "delimiter \(delimiter ?? "-") page \(pageSize): \(seen)")
                XCTAssertEqual(Set(seen).count, expected)
            }
        }
    }

    func testUploadsSurviveReopeningAFileDatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/metadata.sqlite"
        let record = upload("k", id: "u1")
        do {
            let store = try MetadataStore(path: path)
            XCTAssertTrue(try store.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            XCTAssertTrue(try store.createMultipartUpload(record))
            _ = try store.putPart(uploadID: "u1", bucket: "b", key: "k", part(1, blob: "p1"))
        }
        let store = try MetadataStore(path: path)
        XCTAssertEqual(try store.multipartUpload(uploadID: "u1"), record)
        XCTAssertEqual(try store.parts(uploadID: "u1"), [part(1, blob: "p1")])
        XCTAssertEqual(try store.liveBlobIDs(), ["p1"])
        XCTAssertTrue(try store.integrityCheck())
        XCTAssertEqual(try store.write { try $0.scalarInt("PRAGMA foreign_key_check") }, nil)
    }
}
