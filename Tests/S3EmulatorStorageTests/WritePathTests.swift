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
        case .stored(let replaced?, _):
            blobs.remove(replaced)
        case .stored(nil, _):
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
        XCTAssertEqual(try putObject("k", "one", metadata: metadata, blobs: blobs), .stored(replacedBlobID: nil, versionID: nil))
        guard case .stored(let replaced?, _) = try putObject("k", "two", metadata: metadata, blobs: blobs) else {
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
            XCTAssertEqual(try putObject("k", "old", metadata: metadata, blobs: blobs), .stored(replacedBlobID: nil, versionID: nil))
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

    /// Uploads a part as the server does: blob first, then the part row.
    private func uploadPart(_ number: Int, _ content: String, uploadID: String, metadata: MetadataStore, blobs: BlobStore) throws -> PartRecord {
        let writer = try blobs.makeWriter()
        try Array(content.utf8).withUnsafeBytes { try writer.write($0) }
        let part = PartRecord(partNumber: number, size: writer.bytesWritten, etag: content, lastModified: date, blobID: try writer.commit())
        guard case .stored(let replaced) = try metadata.putPart(uploadID: uploadID, bucket: "b", key: "k", part) else {
            blobs.remove(part.blobID)
            throw StorageError.corrupt("no such upload")
        }
        replaced.map(blobs.remove)
        return part
    }

    /// Completes as the server does: the composite of the parts, then the row; then removes
    /// what the row replaced or left out.
    private func complete(_ parts: [PartRecord], uploadID: String, metadata: MetadataStore, blobs: BlobStore) throws -> CompleteMultipartUploadResult {
        let composite = try blobs.makeComposite(of: parts.map { ($0.blobID, $0.size) })
        let object = ObjectRecord(
            bucket: "b", key: "k", size: parts.reduce(0) { $0 + $1.size }, etag: "x-\(parts.count)", lastModified: date, blobID: composite
        )
        let result = try metadata.completeMultipartUpload(
            uploadID: uploadID, object: object, parts: parts.map { ($0.partNumber, $0.blobID) }, precondition: .none
        )
        switch result {
        case .completed(let replaced, let discarded, _):
            replaced.map(blobs.remove)
            discarded.forEach(blobs.remove)
        case .noSuchUpload, .partsChanged, .preconditionFailed:
            blobs.remove(composite)  // never the parts: they are still the upload's
        }
        return result
    }

    func testCrashBeforeCompletionCommitsKeepsTheUploadAndItsPartsAndTheSweepRemovesTheComposite() throws {
        do {
            let (metadata, blobs) = try open()
            XCTAssertTrue(try metadata.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            XCTAssertEqual(try putObject("k", "old", metadata: metadata, blobs: blobs), .stored(replacedBlobID: nil, versionID: nil))
            XCTAssertTrue(try metadata.createMultipartUpload(MultipartUploadRecord(uploadID: "u", bucket: "b", key: "k", initiated: date)))
            let parts = [
                try uploadPart(1, "hello ", uploadID: "u", metadata: metadata, blobs: blobs),
                try uploadPart(2, "world", uploadID: "u", metadata: metadata, blobs: blobs),
            ]
            // "Crash": the composite is written, its row never committed.
            _ = try blobs.makeComposite(of: parts.map { ($0.blobID, $0.size) })
            XCTAssertEqual(directory.files(under: "blobs").count, 4)
        }
        let (metadata, blobs) = try open()
        XCTAssertEqual(try blobs.sweep(keeping: try metadata.liveBlobIDs()).removedBlobs, 1)
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "old")
        // The upload completes after the restart.
        let parts = try metadata.parts(uploadID: "u")
        XCTAssertEqual(parts.count, 2)
        let oldBlob = try XCTUnwrap(try metadata.object(bucket: "b", key: "k")?.blobID)
        XCTAssertEqual(try complete(parts, uploadID: "u", metadata: metadata, blobs: blobs), .completed(replacedBlobID: oldBlob, discardedBlobIDs: [], versionID: nil))
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "hello world")
        // Composite + 2 parts; the old object's blob is gone.
        XCTAssertEqual(directory.files(under: "blobs").count, 3)
        XCTAssertEqual(try blobs.sweep(keeping: try metadata.liveBlobIDs()).removedBlobs, 0)
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "hello world")
    }

    func testCompletedObjectSurvivesARestartAndItsDeletionLeavesNoBlobs() throws {
        do {
            let (metadata, blobs) = try open()
            XCTAssertTrue(try metadata.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
            XCTAssertTrue(try metadata.createMultipartUpload(MultipartUploadRecord(uploadID: "u", bucket: "b", key: "k", initiated: date)))
            let one = try uploadPart(1, "one ", uploadID: "u", metadata: metadata, blobs: blobs)
            _ = try uploadPart(2, "unused", uploadID: "u", metadata: metadata, blobs: blobs)
            _ = try uploadPart(3, "thre", uploadID: "u", metadata: metadata, blobs: blobs)
            let three = try uploadPart(3, "three", uploadID: "u", metadata: metadata, blobs: blobs)
            guard case .completed = try complete([one, three], uploadID: "u", metadata: metadata, blobs: blobs) else {
                return XCTFail("not completed")
            }
            XCTAssertEqual(directory.files(under: "blobs").count, 3)
        }
        let (metadata, blobs) = try open()
        XCTAssertEqual(try blobs.sweep(keeping: try metadata.liveBlobIDs()).removedBlobs, 0)
        XCTAssertEqual(try content("k", metadata: metadata, blobs: blobs), "one three")
        let removed = try XCTUnwrap(try metadata.deleteObject(bucket: "b", key: "k", version: .latest, now: date).removedBlobID)
        blobs.remove(removed)
        XCTAssertEqual(directory.files(under: "blobs"), [])
    }

    func testAbortedUploadLeavesNoBlobs() throws {
        let (metadata, blobs) = try open()
        XCTAssertTrue(try metadata.createBucket(BucketRecord(name: "b", creationDate: date, region: "us-east-1")))
        XCTAssertTrue(try metadata.createMultipartUpload(MultipartUploadRecord(uploadID: "u", bucket: "b", key: "k", initiated: date)))
        _ = try uploadPart(1, "a", uploadID: "u", metadata: metadata, blobs: blobs)
        _ = try uploadPart(2, "b", uploadID: "u", metadata: metadata, blobs: blobs)
        try XCTUnwrap(try metadata.abortMultipartUpload(uploadID: "u", bucket: "b", key: "k")).forEach(blobs.remove)
        XCTAssertEqual(directory.files(under: "blobs"), [])
        // A part that was still streaming when the upload was aborted is refused and removed.
        XCTAssertThrowsError(try uploadPart(3, "late", uploadID: "u", metadata: metadata, blobs: blobs))
        XCTAssertEqual(directory.files(under: "blobs"), [])
    }
}
