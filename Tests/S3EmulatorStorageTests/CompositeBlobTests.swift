import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

/// Composite blobs: a multipart object's parts read as one blob without being copied.
final class CompositeBlobTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// Commits one blob per entry of `sizes`, with bytes that depend on their position in the
    /// joined whole; returns the segments and the joined bytes.
    private func makeSegments(_ store: BlobStore, sizes: [Int]) throws -> (segments: [(blobID: String, size: Int64)], joined: [UInt8]) {
        var segments: [(blobID: String, size: Int64)] = []
        var joined: [UInt8] = []
        for size in sizes {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: (joined.count + $0) &* 7 &+ ($0 >> 8)) }
            let writer = try store.makeWriter()
            try bytes.withUnsafeBytes { try writer.write($0) }
            segments.append((try writer.commit(), Int64(size)))
            joined += bytes
        }
        return (segments, joined)
    }

    private func read(_ reader: BlobReader, offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try reader.read(offset: offset, into: $0) }
        return Array(bytes[..<read])
    }

    func testCompositeReadsAsItsBlobsJoinedAtEveryOffset() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, joined) = try makeSegments(store, sizes: [10, 0, 1, 7, 0, 32])
        let compositeID = try store.makeComposite(of: segments)
        XCTAssertTrue(BlobID.isComposite(compositeID), compositeID)
        XCTAssertTrue(BlobID.isValid(compositeID))
        let reader = try store.openReader(compositeID)
        defer { reader.close() }
        XCTAssertEqual(reader.size, 50)
        XCTAssertEqual(reader.segmentSizes, [10, 0, 1, 7, 0, 32])
        for offset in 0...52 {
            for count in [0, 1, 3, 9, 10, 11, 17, 60] {
                let expected = Array(joined.dropFirst(offset).prefix(count))
                XCTAssertEqual(try read(reader, offset: Int64(offset), count: count), expected, "offset \(offset) count \(count)")
            }
        }
    }

    func testCompositeOfManyBlobsOpensThemLazilyAndReadsTheSame() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let sizes = (0..<(BlobReader.eagerSegmentLimit + 36)).map { $0 % 5 }
        let (segments, joined) = try makeSegments(store, sizes: sizes)
        let reader = try store.openReader(try store.makeComposite(of: segments))
        defer { reader.close() }
        XCTAssertEqual(reader.size, Int64(joined.count))
        XCTAssertEqual(try read(reader, offset: 0, count: joined.count + 5), joined)
        // Backwards and jumping reads reopen segments.
        for offset in stride(from: joined.count - 1, through: 0, by: -13) {
            XCTAssertEqual(try read(reader, offset: Int64(offset), count: 9), Array(joined[offset..<min(offset + 9, joined.count)]))
        }
    }

    func testEagerCompositeKeepsReadingAfterItIsRemoved() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, joined) = try makeSegments(store, sizes: [100, 200, 300])
        let compositeID = try store.makeComposite(of: segments)
        let reader = try store.openReader(compositeID)
        defer { reader.close() }
        store.remove(compositeID)
        XCTAssertEqual(directory.files(under: "blobs"), [])
        XCTAssertEqual(try read(reader, offset: 0, count: 600), joined)
    }

    func testEmptyCompositeReadsNothing() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let reader = try store.openReader(try store.makeComposite(of: []))
        XCTAssertEqual(reader.size, 0)
        XCTAssertEqual(reader.segmentSizes, [])
        XCTAssertEqual(try read(reader, offset: 0, count: 10), [])
    }

    func testPlainBlobHasOneSegment() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [42])
        XCTAssertEqual(try store.openReader(segments[0].blobID).segmentSizes, [42])
    }

    func testReadAfterCloseFailsAndCloseIsIdempotent() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [3, 4])
        let reader = try store.openReader(try store.makeComposite(of: segments))
        reader.close()
        reader.close()
        XCTAssertThrowsError(try read(reader, offset: 0, count: 1))
    }

    func testMakeCompositeRejectsSegmentsThatAreNotPlainBlobs() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [3])
        let composite = try store.makeComposite(of: segments)
        let invalidLists: [[(blobID: String, size: Int64)]] = [[(composite, 3)], [("../../etc/passwd", 1)], [(segments[0].blobID, -1)]]
        for invalid in invalidLists {
            XCTAssertThrowsError(try store.makeComposite(of: invalid))
        }
        XCTAssertEqual(directory.files(under: "tmp"), [])
    }

    func testOpeningACompositeWhoseSegmentIsMissingIsNotFound() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [3, 4])
        let composite = try store.makeComposite(of: segments)
        store.remove(segments[1].blobID)
        XCTAssertThrowsError(try store.openReader(composite)) { error in
            XCTAssertTrue((error as? StorageError)?.isNotFound == true, "\(error)")
        }
        XCTAssertThrowsError(try store.openReader(BlobID.randomComposite())) { error in
            XCTAssertTrue((error as? StorageError)?.isNotFound == true, "\(error)")
        }
    }

    func testASegmentShorterThanTheManifestSaysIsCorrupt() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [3, 4])
        let composite = try store.makeComposite(of: [segments[0], (segments[1].blobID, 40)])
        let reader = try store.openReader(composite)
        defer { reader.close() }
        XCTAssertEqual(reader.size, 43)
        XCTAssertThrowsError(try read(reader, offset: 0, count: 43)) { error in
            XCTAssertTrue("\(error)".contains("shorter"), "\(error)")
        }
    }

    func testManifestsThatAreNotManifestsAreCorrupt() throws {
        let valid = String(repeating: "a", count: 32)
        let malformed = [
            "", "s3emu composite blob 1", "s3emu composite blob 2\n", "s3emu composite blob 1\n\(valid)\n",
            "s3emu composite blob 1\n\(valid) x\n", "s3emu composite blob 1\n\(valid) -1\n", "s3emu composite blob 1\n../x 1\n",
            "s3emu composite blob 1\n\(valid)  1\n", "s3emu composite blob 1\n\(valid) 1",
        ]
        for text in malformed {
            XCTAssertThrowsError(try CompositeBlobManifest(bytes: Array(text.utf8), path: "p"), text)
        }
        let manifest = CompositeBlobManifest(segments: [.init(blobID: valid, size: 5), .init(blobID: valid, size: 0)])
        XCTAssertEqual(try CompositeBlobManifest(bytes: Array(manifest.text().utf8), path: "p"), manifest)
    }

    func testRemovingACompositeRemovesItsBlobs() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, _) = try makeSegments(store, sizes: [1, 2, 3])
        let (other, _) = try makeSegments(store, sizes: [4])
        let composite = try store.makeComposite(of: segments)
        XCTAssertEqual(directory.files(under: "blobs").count, 5)
        store.remove(composite)
        XCTAssertEqual(directory.files(under: "blobs").map { String($0.split(separator: "/").last ?? "") }, [other[0].blobID])
        store.remove(composite)
    }

    func testDiscardingACompositeNoObjectTookKeepsItsBlobs() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (segments, joined) = try makeSegments(store, sizes: [5, 7])
        let composite = try store.makeComposite(of: segments)
        store.discardComposite(composite)
        store.discardComposite(segments[0].blobID)  // not a composite: ignored
        XCTAssertEqual(directory.files(under: "blobs").count, 2)
        XCTAssertThrowsError(try store.openReader(composite))
        // The parts make a new composite, as a retried CompleteMultipartUpload does.
        let again = try store.makeComposite(of: segments)
        let reader = try store.openReader(again)
        defer { reader.close() }
        XCTAssertEqual(try read(reader, offset: 0, count: joined.count), joined)
    }

    func testSweepKeepsTheBlobsOfLiveCompositesAndRemovesDeadOnes() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let (liveSegments, _) = try makeSegments(store, sizes: [1, 2])
        let (deadSegments, _) = try makeSegments(store, sizes: [3, 4])
        let (pendingParts, _) = try makeSegments(store, sizes: [5, 6])
        let live = try store.makeComposite(of: liveSegments)
        let dead = try store.makeComposite(of: deadSegments)
        // A crash after the composite of an upload's parts was written, before the row committed:
        // the parts are still the upload's (live), the composite is not.
        let unrecorded = try store.makeComposite(of: pendingParts)
        let result = try store.sweep(keeping: Set([live] + pendingParts.map(\.blobID) + [BlobID.randomComposite()]))
        XCTAssertEqual(result.removedBlobs, 4)  // dead, its two blobs, unrecorded
        XCTAssertNoThrow(try store.openReader(live).close())
        XCTAssertThrowsError(try store.openReader(dead))
        XCTAssertThrowsError(try store.openReader(unrecorded))
        for part in pendingParts {
            XCTAssertNoThrow(try store.openReader(part.blobID).close())
        }
        XCTAssertEqual(directory.files(under: "blobs").count, 5)
    }

    func testDurableCompositeIsSyncedLikeABlob() throws {
        let store = try BlobStore(directory: directory.path, durable: true)
        let (segments, _) = try makeSegments(store, sizes: [1])
        let before = store.syncCount.load(ordering: .relaxed)
        _ = try store.makeComposite(of: segments + segments.map { ($0.blobID, $0.size) })
        XCTAssertGreaterThanOrEqual(store.syncCount.load(ordering: .relaxed) - before, 2)
    }
}
