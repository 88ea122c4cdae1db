import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// Bodies up to this size are read from disk in one hop and sent from memory.
    static let smallBodySize: Int64 = 256 * 1024
    /// Bodies up to this size are read in the request task itself, without an I/O thread hop.
    static let inlineBodySize: Int64 = 16 * 1024
    /// Larger bodies stream in pieces of this size.
    static let streamChunkSize = 256 * 1024

    static let responseOverrides: [(parameter: String, header: String)] = [
        ("response-content-type", "content-type"),
        ("response-content-language", "content-language"),
        ("response-expires", "expires"),
        ("response-cache-control", "cache-control"),
        ("response-content-disposition", "content-disposition"),
        ("response-content-encoding", "content-encoding"),
    ]

    /// GetObject and HeadObject: conditionals, ranges, `response-*` overrides, streamed body.
    ///
    /// An overwrite or delete that commits between reading the object's row and opening its blob
    /// removes the blob; the request then starts again and answers with what is current by then
    /// (the new object, or NoSuchKey), as S3 does for a read racing a write.
    func getObject(_ context: RequestContext, headOnly: Bool) async throws -> S3Response {
        var attempts = 1
        while true {
            do {
                return try await getObjectOnce(context, headOnly: headOnly)
            } catch let error as StorageError where error.isNotFound && attempts < 3 {
                attempts += 1
            }
        }
    }

    private func getObjectOnce(_ context: RequestContext, headOnly: Bool) async throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let (record, inlineBytes) = try existingObject(
            bucket: context.bucket, key: context.key, version: version, method: context.request.method,
            inlineBytesUpTo: headOnly ? 0 : Self.inlineBodySize
        )
        if !headOnly, let storageClass = record.metadata.storageClass, storageClass == "GLACIER" || storageClass == "DEEP_ARCHIVE" {
            throw S3Error(.invalidObjectState, details: [("StorageClass", storageClass)])
        }
        let headers = context.headers
        let conditions = ConditionalHeaders(
            ifMatch: headers["if-match"], ifNoneMatch: headers["if-none-match"],
            ifModifiedSince: headers["if-modified-since"], ifUnmodifiedSince: headers["if-unmodified-since"]
        )
        switch conditions.evaluate(etag: ETag(unquoted: record.etag).quoted, lastModified: record.lastModified, isReadRequest: true) {
        case .proceed:
            break
        case .notModified:
            var notModified = S3Headers()
            notModified.append("etag", ETag(unquoted: record.etag).quoted)
            notModified.append("last-modified", HTTPDate.format(record.lastModified))
            return S3Response(status: 304, headers: notModified)
        case .preconditionFailed:
            let condition = headers["if-match"] != nil ? "If-Match" : "If-Unmodified-Since"
            throw S3Error(.preconditionFailed, details: [("Condition", condition)])
        }

        var range: ClosedRange<Int64>?
        var partsCount: Int?
        if let partNumber = context.query["partNumber"] {
            guard headers["range"] == nil else {
                throw S3Error(.invalidRequest, message: "Cannot specify both Range header and partNumber query parameter")
            }
            (range, partsCount) = try await objectPart(record, partNumber: partNumber)
        } else if let header = headers["range"], let requested = ByteRange.parse(header) {
            guard let resolved = requested.resolve(size: record.size) else {
                throw S3Error(.invalidRange, details: [("RangeRequested", header), ("ActualObjectSize", String(record.size))])
            }
            range = resolved
        }

        let checksumMode = headers["x-amz-checksum-mode"]?.uppercased() == "ENABLED" && range == nil
        var responseHeaders = record.responseHeaders(checksumMode: checksumMode)
        if let versionID = versionIDHeader(record) {
            responseHeaders.append("x-amz-version-id", versionID)
        }
        for (parameter, header) in Self.responseOverrides {
            if let value = context.query[parameter] {
                responseHeaders.set(header, value)
            }
        }
        if let partsCount {
            responseHeaders.append("x-amz-mp-parts-count", String(partsCount))
        }
        let offset = range?.lowerBound ?? 0
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? record.size
        responseHeaders.append("content-length", String(length))
        let status: Int
        if let range {
            status = 206
            responseHeaders.append("content-range", "bytes \(range.lowerBound)-\(range.upperBound)/\(record.size)")
        } else {
            status = 200
        }
        if headOnly || length == 0 {
            return S3Response(status: status, headers: responseHeaders)
        }
        if let inlineBytes, inlineBytes.count == record.size {
            // Read with the row (a small inline object).
            let slice = inlineBytes[Int(offset)..<Int(offset + length)]
            return S3Response(status: status, headers: responseHeaders, body: .buffer(ByteBuffer(bytes: slice)))
        }
        let body = try await readBody(blobID: record.blobID, offset: offset, length: length)
        return S3Response(status: status, headers: responseHeaders, body: body)
    }

    /// A blob's bytes as a response body: read whole when small, streamed otherwise.
    func readBody(blobID: String, offset: Int64, length: Int64) async throws -> S3ResponseBody {
        let store = self.store
        if length <= Self.inlineBodySize {
            // A page or two from the page cache: cheaper read here than a round trip to the I/O threads.
            let reader = try store.blobs.openReader(blobID)
            defer { reader.close() }
            return .buffer(try reader.readBuffer(offset: offset, length: Int(length)))
        }
        if length <= Self.smallBodySize {
            let buffer = try await store.io {
                let reader = try store.blobs.openReader(blobID)
                defer { reader.close() }
                return try reader.readBuffer(offset: offset, length: Int(length))
            }
            return .buffer(buffer)
        }
        let reader = try await store.io { try store.blobs.openReader(blobID) }
        return .stream(length: length) { writer in
            // Each chunk is read while the one before it goes out, so the disk and the socket
            // work at once: read and then sent in turn, a 1 GiB GET went at the sum of their times.
            let end = offset + length
            func read(at start: Int64) -> Task<ByteBuffer, any Error> {
                let count = Int(min(Int64(Self.streamChunkSize), end - start))
                return Task { try await store.io { try reader.readBuffer(offset: start, length: count) } }
            }
            var next: Task<ByteBuffer, any Error>? = read(at: offset)
            do {
                var position = offset
                while let reading = next {
                    let buffer = try await reading.value
                    position += Int64(buffer.readableBytes)
                    next = position < end ? read(at: position) : nil
                    try await writer.write(buffer)
                }
            } catch {
                // A read in flight uses the reader: it ends before the reader closes.
                _ = try? await next?.value
                reader.close()
                throw error
            }
            reader.close()
        }
    }

    /// DeleteObject: 204 whether or not the key (or the named version) existed. With versioning
    /// it adds a delete marker, or removes the named version for good.
    func deleteObject(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let version = try Self.versionReference(context.query)
        _ = try existingBucket(bucket)
        let result = try await store.deleteQueued(bucket: bucket, key: key, version: version, now: configuration.clock.now())
        var headers = S3Headers()
        if result.isDeleteMarker { headers.append("x-amz-delete-marker", "true") }
        if let versionID = result.versionID { headers.append("x-amz-version-id", versionID) }
        return S3Response(status: 204, headers: headers)
    }
}

extension ObjectStore {
    /// Deletes as ``MetadataStore/deleteObject(bucket:key:version:now:)`` does and removes the
    /// blob of the version removed for good. Blocking: call on the I/O threads.
    func deleteObject(bucket: String, key: String, version: VersionReference, now: Date) throws -> DeleteObjectResult {
        let result = try metadata.deleteObject(bucket: bucket, key: key, version: version, now: now)
        if let removed = result.removedBlobID { blobs.remove(removed) }
        return result
    }

    /// ``deleteObject(bucket:key:version:now:)`` queued for the metadata writer's next group
    /// commit (``runCommitQueue(_:)``) without holding a thread while it waits. The blob file
    /// of a version removed for good is removed on the I/O threads before it returns; an inline
    /// blob goes in the transaction.
    func deleteQueued(bucket: String, key: String, version: VersionReference, now: Date) async throws -> DeleteObjectResult {
        let result = try await metadata.deleteObject(bucket: bucket, key: key, version: version, now: now, runningQueueWith: runCommitQueue)
        if let removed = result.removedBlobID {
            try await io { [blobs] in blobs.remove(removed) }
        }
        return result
    }
}

extension BlobReader {
    /// Reads exactly `length` bytes at `offset` (fewer only at the end of the blob).
    func readBuffer(offset: Int64, length: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        var filled = 0
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
            let target = UnsafeMutableRawBufferPointer(rebasing: pointer[0..<length])
            while filled < length {
                let count = try read(
                    offset: offset + Int64(filled),
                    into: UnsafeMutableRawBufferPointer(rebasing: target[filled...])
                )
                if count == 0 { break }
                filled += count
            }
            return filled
        }
        return buffer
    }
}
