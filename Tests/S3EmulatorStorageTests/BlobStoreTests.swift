import Foundation
import Synchronization
import XCTest

@testable import S3EmulatorStorage

final class BlobStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func write(_ bytes: [UInt8], to writer: BlobWriter) throws {
        try bytes.withUnsafeBytes { try writer.write($0) }
    }

    private func readAll(_ reader: BlobReader) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Int(reader.size) + 10)
        let count = try bytes.withUnsafeMutableBytes { try reader.read(offset: 0, into: $0) }
        return Array(bytes[..<count])
    }

    func testInitCreatesBlobsAndTmpDirectories() throws {
        _ = try BlobStore(directory: directory.path + "/data/nested", durable: false)
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/data/nested/blobs", isDirectory: &isDirectory))
        XCTAssertTrue(isDirectory.boolValue)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/data/nested/tmp", isDirectory: &isDirectory))
        // Opening an existing store again is fine.
        _ = try BlobStore(directory: directory.path + "/data/nested", durable: false)
    }

    func testCommittedBlobIsReadBack() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try write(Array(content[..<1]), to: writer)
        try write(Array(content[1..<65_537]), to: writer)
        try write([], to: writer)
        try write(Array(content[65_537...]), to: writer)
        XCTAssertEqual(writer.bytesWritten, 100_000)
        let blobID = try writer.commit()
        XCTAssertTrue(BlobID.isValid(blobID), blobID)
        XCTAssertEqual(directory.files(under: "blobs"), ["\(blobID.prefix(2))/\(blobID)"])
        XCTAssertEqual(directory.files(under: "tmp"), [])

        let reader = try store.openReader(blobID)
        XCTAssertEqual(reader.size, 100_000)
        XCTAssertEqual(try readAll(reader), content)
        reader.close()
        reader.close()
    }

    func testADurableBlobLargerThanTheWritebackIntervalReadsBack() throws {
        // Writeback starts every 8 MiB while the blob is written (sync_file_range on Linux); the
        // bytes and the commit are as for any blob.
        let store = try BlobStore(directory: directory.path, durable: true)
        let writer = try store.makeWriter()
        var expected: [UInt8] = []
        for index in 0..<20 {
            let piece = [UInt8](repeating: UInt8(index), count: 1 << 20)
            try write(piece, to: writer)
            expected += piece
        }
        let id = try writer.commit()
        let reader = try store.openReader(id)
        defer { reader.close() }
        XCTAssertEqual(reader.size, Int64(expected.count))
        XCTAssertEqual(try readAll(reader), expected)
        FileSystem.startWriteback(-1, offset: 0, length: 1)  // a bad descriptor is ignored, not thrown
    }

    func testEmptyBlob() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        let blobID = try writer.commit()
        let reader = try store.openReader(blobID)
        XCTAssertEqual(reader.size, 0)
        XCTAssertEqual(try readAll(reader), [])
    }

    func testReaderPreadAtOffsets() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        let content = Array("0123456789abcdefghij".utf8)
        try write(content, to: writer)
        let reader = try store.openReader(try writer.commit())
        struct Case {
            let offset: Int64
            let capacity: Int
            let expected: String
        }
        let cases = [
            Case(offset: 0, capacity: 5, expected: "01234"),
            Case(offset: 10, capacity: 3, expected: "abc"),
            Case(offset: 15, capacity: 100, expected: "fghij"),
            Case(offset: 19, capacity: 1, expected: "j"),
            Case(offset: 20, capacity: 4, expected: ""),
            Case(offset: 1_000, capacity: 4, expected: ""),
            Case(offset: 3, capacity: 0, expected: ""),
        ]
        for testCase in cases {
            var buffer = [UInt8](repeating: 0, count: testCase.capacity)
            let count = try buffer.withUnsafeMutableBytes { try reader.read(offset: testCase.offset, into: $0) }
            XCTAssertEqual(String(decoding: buffer[..<count], as: UTF8.self), testCase.expected, "offset \(testCase.offset)")
        }
    }

    func testReadAfterCloseFails() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let reader = try store.openReader(try store.makeWriter().commit())
        reader.close()
        var buffer = [UInt8](repeating: 0, count: 4)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try reader.read(offset: 0, into: $0) })
    }

    func testAbortRemovesTheTempFileAndIsIdempotent() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        try write([1, 2, 3], to: writer)
        XCTAssertEqual(directory.files(under: "tmp").count, 1)
        writer.abort()
        writer.abort()
        XCTAssertEqual(directory.files(under: "tmp"), [])
        XCTAssertEqual(directory.files(under: "blobs"), [])
        XCTAssertThrowsError(try write([4], to: writer))
        XCTAssertThrowsError(try writer.commit())
    }

    func testAbortAfterCommitKeepsTheBlob() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        try write([1, 2, 3], to: writer)
        let blobID = try writer.commit()
        writer.abort()
        XCTAssertEqual(try readAll(try store.openReader(blobID)), [1, 2, 3])
        XCTAssertThrowsError(try writer.commit())
        XCTAssertThrowsError(try write([4], to: writer))
    }

    func testWriterDroppedWithoutCommitIsAborted() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        do {
            let writer = try store.makeWriter()
            try write([1], to: writer)
            XCTAssertEqual(directory.files(under: "tmp").count, 1)
        }
        XCTAssertEqual(directory.files(under: "tmp"), [])
    }

    func testTempFilesAreCreatedWithMode0600() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let writer = try store.makeWriter()
        defer { writer.abort() }
        let name = try XCTUnwrap(directory.files(under: "tmp").first)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/tmp/" + name)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testBlobIDsAreRandomAndDistinct() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let ids = try (0..<200).map { _ in try store.makeWriter().commit() }
        XCTAssertEqual(Set(ids).count, 200)
        XCTAssertTrue(ids.allSatisfy(BlobID.isValid))
        // The fan-out spreads over many directories.
        XCTAssertGreaterThan(Set(ids.map { $0.prefix(2) }).count, 50)
    }

    func testRemoveDeletesTheBlobAndIgnoresMissingOrInvalidIDs() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let blobID = try store.makeWriter().commit()
        store.remove(blobID)
        XCTAssertEqual(directory.files(under: "blobs"), [])
        store.remove(blobID)
        store.remove("../../etc/passwd")
        store.remove("")
    }

    func testOpenReaderOfAMissingBlobIsNotFound() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        XCTAssertThrowsError(try store.openReader(BlobID.random())) { error in
            XCTAssertTrue((error as? StorageError)?.isNotFound == true, "\(error)")
        }
    }

    func testOpenReaderRejectsIDsThatAreNotBlobIDs() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        for id in ["../tmp/x", "", "ABCDEF0123456789ABCDEF0123456789", String(repeating: "a", count: 33), "/etc/passwd"] {
            XCTAssertThrowsError(try store.openReader(id), id) { error in
                XCTAssertFalse((error as? StorageError)?.isNotFound ?? true, id)
            }
        }
    }

    func testSweepRemovesTempFilesAndBlobsNotLive() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let live = try store.makeWriter().commit()
        let orphan = try store.makeWriter().commit()
        let pending = try store.makeWriter()
        try write([9], to: pending)
        // A file in blobs/ that is not a blob id is not ours to delete.
        let strayPath = directory.path + "/blobs/\(live.prefix(2))/README"
        try Data("x".utf8).write(to: URL(fileURLWithPath: strayPath))

        let result = try store.sweep(keeping: [live])
        XCTAssertEqual(result.removedBlobs, 1)
        XCTAssertEqual(result.removedTemps, 1)
        XCTAssertNoThrow(try store.openReader(live))
        XCTAssertThrowsError(try store.openReader(orphan))
        XCTAssertTrue(FileManager.default.fileExists(atPath: strayPath))
        XCTAssertEqual(directory.files(under: "tmp"), [])

        let again = try store.sweep(keeping: [live])
        XCTAssertEqual(again.removedBlobs, 0)
        XCTAssertEqual(again.removedTemps, 0)
        pending.abort()
    }

    func testDurableStoreSyncsOnCommitAndNonDurableDoesNot() throws {
        let fast = try BlobStore(directory: directory.path + "/fast", durable: false)
        _ = try fast.makeWriter().commit()
        XCTAssertEqual(fast.syncCount.load(ordering: .relaxed), 0)
        XCTAssertFalse(fast.durable)

        let durable = try BlobStore(directory: directory.path + "/durable", durable: true)
        let writer = try durable.makeWriter()
        try write([1, 2, 3], to: writer)
        let blobID = try writer.commit()
        // File, new fan-out directory's parent, fan-out directory.
        XCTAssertEqual(durable.syncCount.load(ordering: .relaxed), 3)
        XCTAssertTrue(durable.durable)
        XCTAssertEqual(try readAll(try durable.openReader(blobID)), [1, 2, 3])
    }

    func testWriteToAFullDeviceIsNoSpace() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            throw XCTSkip("/dev/full is Linux-only")
        }
        let descriptor = try FileSystem.open("/dev/full", flags: O_WRONLY)
        defer { FileSystem.close(descriptor) }
        XCTAssertThrowsError(try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try FileSystem.writeAll(descriptor, $0, at: 0, path: "/dev/full") }) { error in
            XCTAssertTrue((error as? StorageError)?.isNoSpace == true, "\(error)")
        }
    }
}

extension BlobStoreTests {
    func testWritersOpenAtTheSameTimeShareAFanOutDirectoryAndSequentialOnesSpread() throws {
        let store = try BlobStore(directory: directory.path, durable: false)
        let open = try (0..<10).map { _ in try store.makeWriter() }
        let ids = try open.map { try $0.commit() }
        XCTAssertEqual(Set(ids.map { $0.prefix(2) }).count, 1, "\(ids)")
        XCTAssertEqual(Set(ids).count, 10)
        // A group takes at most fanOutGroupSize writers.
        let many = try (0..<(BlobStore.fanOutGroupSize + 1)).map { _ in try store.makeWriter() }
        let manyIDs = try many.map { try $0.commit() }
        XCTAssertEqual(Set(manyIDs.prefix(BlobStore.fanOutGroupSize).map { $0.prefix(2) }).count, 1)
        XCTAssertTrue(manyIDs.allSatisfy(BlobID.isValid))
        // An aborted writer leaves the group too: the next lone writer draws a new prefix.
        let prefixes = try (0..<100).map { _ -> Substring in
            let aborted = try store.makeWriter()
            aborted.abort()
            return try store.makeWriter().commit().prefix(2)
        }
        XCTAssertGreaterThan(Set(prefixes).count, 30)
    }

    func testACommitRemakesAFanOutDirectoryRemovedByHand() throws {
        let store = try BlobStore(directory: directory.path, durable: true)
        // While `held` is open, the writers made after it share its fan-out directory.
        let held = try store.makeWriter()
        let first = try store.makeWriter().commit()
        let fanOut = directory.path + "/blobs/" + first.prefix(2)
        try FileManager.default.removeItem(atPath: fanOut)
        let second = try store.makeWriter()
        try write([4, 2], to: second)
        let secondID = try second.commit()
        XCTAssertEqual(secondID.prefix(2), first.prefix(2))
        XCTAssertEqual(try readAll(try store.openReader(secondID)), [4, 2])
        XCTAssertEqual(try held.commit().prefix(2), first.prefix(2))
        XCTAssertEqual(directory.files(under: "blobs").count, 2)
    }
}
