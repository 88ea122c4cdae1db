import Foundation
import XCTest

@testable import S3EmulatorStorage

/// A durable store writes blobs with direct I/O (whole aligned chunks straight to the disk, the
/// tail through the page cache) and reads large files the same way. Every byte must come back
/// at every offset, across chunk and segment boundaries, however the writes were cut.
final class DirectIOTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let chunk = BlobWriter.directChunkSize

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// Whether this file system takes direct I/O (ext4 and xfs do; tmpfs before Linux 6.6 does not).
    private func fileSystemTakesDirectIO() throws -> Bool {
        let probe = directory.path + "/probe"
        let descriptor = try FileSystem.createExclusive(probe)
        let isDirect = FileSystem.startDirectIO(descriptor)
        FileSystem.close(descriptor)
        _ = try FileSystem.removeFile(probe)
        return isDirect
    }

    /// Deterministic bytes that differ at every offset of a chunk (so a misplaced chunk shows).
    private func content(_ count: Int, seed: UInt32) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// Writes `bytes` in pieces of the given sizes, cycled, and commits.
    private func writeBlob(_ bytes: [UInt8], to store: BlobStore, pieces: [Int]) throws -> (id: String, directWrites: Int) {
        let writer = try store.makeWriter()
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + pieces[index % pieces.count])
            try bytes[offset..<end].withUnsafeBytes { try writer.write($0) }
            offset = end
            index += 1
        }
        XCTAssertEqual(writer.bytesWritten, Int64(bytes.count))
        let directWrites = writer.directWriteCount
        return (try writer.commit(), directWrites)
    }

    private func read(_ reader: BlobReader, offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try reader.read(offset: offset, into: $0) }
        return Array(bytes[..<read])
    }

    func testADurableWriterWritesWholeChunksDirectlyAndTheTailThroughThePageCache() throws {
        let direct = try fileSystemTakesDirectIO()
        let store = try BlobStore(directory: directory.path, durable: true)
        let sizes = [0, 1, 4_095, 4_096, chunk - 1, chunk, chunk + 1, 3 * chunk + 12_345]
        for (index, size) in sizes.enumerated() {
            let bytes = content(size, seed: UInt32(index + 1))
            // Pieces that never line up with the chunks: odd sizes, one larger than a chunk.
            let (id, directWrites) = try writeBlob(bytes, to: store, pieces: [7, 65_537, chunk + 4_099, 1])
            XCTAssertEqual(directWrites, direct ? size / chunk : 0, "size \(size)")
            let reader = try store.openReader(id)
            defer { reader.close() }
            XCTAssertEqual(reader.size, Int64(size))
            XCTAssertEqual(try read(reader, offset: 0, count: size + 10), bytes, "size \(size)")
        }
        XCTAssertEqual(directory.files(under: "tmp"), [])
    }

    func testANonDurableStoreWritesAndReadsThroughThePageCache() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let bytes = content(Int(BlobReader.directReadMinimum) + 3 * chunk, seed: 7)
        let (id, directWrites) = try writeBlob(bytes, to: store, pieces: [chunk])
        XCTAssertEqual(directWrites, 0)
        let reader = try store.openReader(id)
        defer { reader.close() }
        XCTAssertEqual(try read(reader, offset: 0, count: bytes.count), bytes)
        XCTAssertEqual(reader.directReadCount, 0)
    }

    func testADurableReaderReadsALargeBlobDirectlyAtAnyOffset() throws {
        let direct = try fileSystemTakesDirectIO()
        let store = try BlobStore(directory: directory.path, durable: true)
        let size = Int(BlobReader.directReadMinimum) + 777
        let bytes = content(size, seed: 11)
        let (id, _) = try writeBlob(bytes, to: store, pieces: [100_003])
        let reader = try store.openReader(id)
        defer { reader.close() }
        var ranges: [(offset: Int, count: Int)] = [
            (0, 1), (4_095, 2), (chunk - 3, 10), (chunk, chunk), (2 * chunk - 1, chunk + 2),
            (size - 1, 1), (size - 5, 100), (size, 10), (size + 4_096, 10), (0, size + 1),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let offset = Int.random(in: 0..<size, using: &generator)
            ranges.append((offset, Int.random(in: 0...(3 * chunk), using: &generator)))
        }
        for range in ranges {
            let expected = Array(bytes[min(range.offset, size)..<min(range.offset + range.count, size)])
            XCTAssertEqual(try read(reader, offset: Int64(range.offset), count: range.count), expected, "\(range)")
        }
        XCTAssertEqual(reader.directReadCount > 0, direct)
    }

    func testSmallReadsOfALargeBlobGoThroughThePageCache() throws {
        let store = try BlobStore(directory: directory.path, durable: true)
        let bytes = content(Int(BlobReader.directReadMinimum) + 1, seed: 9)
        let (id, _) = try writeBlob(bytes, to: store, pieces: [chunk])
        let reader = try store.openReader(id)
        defer { reader.close() }
        let small = BlobReader.directReadRequestMinimum - 1
        for offset in [0, 4_097, chunk - 7, bytes.count - 10] {
            XCTAssertEqual(try read(reader, offset: Int64(offset), count: small), Array(bytes[offset..<min(offset + small, bytes.count)]))
        }
        XCTAssertEqual(reader.directReadCount, 0)
        // Large and small reads in turn on one reader: the descriptor's direct I/O goes on and off.
        let large = BlobReader.directReadRequestMinimum
        for offset in [0, 3, chunk + 5, 0, bytes.count - large] {
            for count in [large, 10, large + 1, 1] {
                XCTAssertEqual(
                    try read(reader, offset: Int64(offset), count: count),
                    Array(bytes[offset..<min(offset + count, bytes.count)]), "offset \(offset), count \(count)")
            }
        }
        XCTAssertEqual(reader.directReadCount > 0, try fileSystemTakesDirectIO())
    }

    func testASmallBlobOfADurableStoreIsReadThroughThePageCache() throws {
        let store = try BlobStore(directory: directory.path, durable: true)
        let bytes = content(Int(BlobReader.directReadMinimum) - 1, seed: 5)
        let (id, _) = try writeBlob(bytes, to: store, pieces: [chunk])
        let reader = try store.openReader(id)
        defer { reader.close() }
        XCTAssertEqual(try read(reader, offset: 1, count: bytes.count), Array(bytes[1...]))
        XCTAssertEqual(reader.directReadCount, 0)
    }

    func testACompositeOfLargeBlobsReadsDirectlyAcrossItsSegments() throws {
        let direct = try fileSystemTakesDirectIO()
        let store = try BlobStore(directory: directory.path, durable: true)
        let minimum = Int(BlobReader.directReadMinimum)
        let parts = [content(minimum + 5, seed: 21), content(1_000, seed: 22), content(minimum + 3, seed: 23)]
        var segments: [(blobID: String, size: Int64)] = []
        for part in parts {
            segments.append((try writeBlob(part, to: store, pieces: [chunk + 1]).id, Int64(part.count)))
        }
        let joined = parts.flatMap { $0 }
        let reader = try store.openReader(try store.makeComposite(of: segments))
        defer { reader.close() }
        XCTAssertEqual(try read(reader, offset: 0, count: joined.count), joined)
        // Across the small middle segment, from one large segment into the other.
        let offset = minimum - 4_000
        XCTAssertEqual(try read(reader, offset: Int64(offset), count: 10_000), Array(joined[offset..<(offset + 10_000)]))
        XCTAssertEqual(reader.directReadCount > 0, direct)
    }

    func testAnAbortedDirectWriterLeavesNothing() throws {
        let store = try BlobStore(directory: directory.path, durable: true)
        let writer = try store.makeWriter()
        try content(2 * chunk + 9, seed: 3).withUnsafeBytes { try writer.write($0) }
        writer.abort()
        writer.abort()
        XCTAssertEqual(directory.files(under: "tmp"), [])
        XCTAssertThrowsError(try [UInt8](repeating: 1, count: 1).withUnsafeBytes { try writer.write($0) })
    }
}
