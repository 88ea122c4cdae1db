import Foundation
import XCTest

@testable import S3EmulatorStorage

/// The server's write path, end to end over a file database and a blob directory: blob first,
/// then the row; a crash between the two leaves the old object and an orphan the start-up sweep removes.
final class WritePathTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private let date = Date(timeIntervalSince1970: 1_700_000_000)

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func open() throws -> (MetadataStore, BlobStore) {
        (try MetadataStore(path: directory.path + "/metadata.sqlite"), try BlobStore(directory: directory.path, durable: true))
    }

    /// Writes a blob and commits its row as the server does; returns the put result.
    private func putObject(_ key: String, _ content: String, metadata: MetadataStore, blobs: BlobStore, precondition: WritePrecondition = .none)
        throws -> PutObjectResult
    {
        let writer = try blobs.makeWriter()
        try Array(content.utf8).withUnsafeBytes { try writer.write($0) }
        let blobID = try writer.commit()
        let record = ObjectRecord(bucket: "b", key: key, size: writer.bytesWritten, etag: content, lastModified: date, blobID: blobID)
        let result = try metadata.putObject(record, precondition: precondition)
        switch result {
        case .stored(let replaced?):
            blobs.remove(replaced)
        case .stored(nil):
            break
        case .preconditionFailed, .noSuchBucket:
            blobs.remove(blobID)
        }
        return result
    }

    private func content(_ key: String, metadata: MetadataStore, blobs: BlobStore) throws -> String? {
        guard let record = try metadata.object(bucket: "b", key: key) else {
            return nil
        }
        let reader = try blobs.openReader(record.blobID)
        defer { reader.close() }
        var bytes = [UInt8](repeating: 0, count: Int(reader.size))
        let count = try bytes.withUnsafeMutableBytes { try reader.read(offset: 0, into: $0) }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }

    func testReplacedAndRefusedBlobsAreRemovedAtOnce() throws {
        let (metadata, blobs) = try open()
        XCTAssertTrue(try metadata.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        XCTAssertEqual(try putObject("k", "one", metadata: metadata, blobs: blobs), .stored(replacedBlobID: nil))
        guard case .stored(let replaced?) = try putObject("k", "two", metadata: metadata, blobs: blobs) else {
            return XCTFail("expected a replaced blob")
        }
        XCTAssertThrowsError(try blobs.openReader(replaced))
        XCTAssertEqual(try putObject("k", "three", metadata: metadata, blobs: blobs, precondition: .ifNoneMatchAny), .preconditionFailed)
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "two")
        XCTAssertEqual(directory.files(under: "blobs").count, 1)
        XCTAssertEqual(directory.files(under: "tmp"), [])
    }

    func testCrashBeforeTheRowCommitsLeavesTheOldObjectAndTheSweepRemovesTheOrphan() throws {
        do {
            let (metadata, blobs) = try open()
            XCTAssertTrue(try metadata.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            XCTAssertEqual(try putObject("k", "old", metadata: metadata, blobs: blobs), .stored(replacedBlobID: nil))
            // "Crash" 1: a blob committed, its row never written.
            let orphan = try blobs.makeWriter()
            try Array("new".utf8).withUnsafeBytes { try orphan.write($0) }
            _ = try orphan.commit()
            // "Crash" 2: a temp file half written (its writer never finishes).
            let partial = try blobs.makeWriter()
            try Array("ne".utf8).withUnsafeBytes { try partial.write($0) }
            XCTAssertEqual(directory.files(under: "blobs").count, 2)
            XCTAssertEqual(directory.files(under: "tmp").count, 1)
            // Leak the writer so its deinit cannot tidy up, as a killed process would not.
            _ = Unmanaged.passRetained(partial)
        }
        let (metadata, blobs) = try open()
        let swept = try blobs.sweep(keeping: try metadata.liveBlobIDs())
        XCTAssertEqual(swept.removedBlobs, 1)
        XCTAssertEqual(swept.removedTemps, 1)
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "old")
        XCTAssertEqual(directory.files(under: "blobs").count, 1)
        XCTAssertEqual(directory.files(under: "tmp"), [])
    }
}
