import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// The largest object a single PutObject accepts: 5 GiB.
    static let maxPutObjectSize: Int64 = 5 * 1024 * 1024 * 1024

    /// PutObject: streams the body to a new blob while hashing it, verifies every digest the
    /// client sent, then commits the blob and the metadata row together.
    func putObject(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        try ObjectKey.validate(key)
        let headers = context.headers
        let payload = try RequestPayload(context)
        // A transfer coding is accepted only around an aws-chunked body, whose decoded length is declared.
        if headers["transfer-encoding"] != nil, !payload.isAWSChunked {
            throw S3Error(.notImplemented, details: [("Header", "Transfer-Encoding")])
        }
        guard let length = payload.declaredLength else {
            throw S3Error(.missingContentLength)
        }
        guard length <= Self.maxPutObjectSize else {
            throw S3Error(.entityTooLarge, details: [
                ("ProposedSize", String(length)), ("MaxSizeAllowed", String(Self.maxPutObjectSize)),
            ])
        }
        var metadata = try ObjectMetadata(requestHeaders: headers)
        let precondition = try writePrecondition(headers)
        let digests = BodyDigests(try BodyIntegrity(headers: headers))
        _ = try existingBucket(bucket)
        metadata.acl = try requestedACL(headers, bucket: bucket)?.stored
        if Self.setsACL(headers) {
            try authorize(context.subject, action: "s3:PutObjectAcl", resource: S3ARN.object(bucket, key), bucket: bucket)
        }
        if headers["x-amz-tagging"] != nil {
            try authorize(context.subject, action: "s3:PutObjectTagging", resource: S3ARN.object(bucket, key), bucket: bucket)
        }

        var upload = BlobUpload(store: store, digests: digests)
        let verified: (md5: [UInt8], checksum: (ChecksumAlgorithm, String)?)
        let integrity: BodyIntegrity
        do {
            let trailers = try await payload.stream(context.request.body) { buffer in
                try await upload.append(buffer)
            }
            try await upload.finishHashing()
            integrity = digests.integrity
            verified = try integrity.verify(trailingChecksum: trailers.first { $0.name.hasPrefix("x-amz-checksum-") })
        } catch {
            await upload.abort()
            throw error
        }
        if let (algorithm, value) = verified.checksum {
            metadata.checksums = [algorithm.rawValue: value]
            metadata.checksumType = "FULL_OBJECT"
        }
        let etag = ETag(md5: verified.md5)
        let record = ObjectRecord(
            bucket: bucket, key: key, size: integrity.byteCount, etag: etag.value,
            lastModified: configuration.clock.now(), blobID: "", metadata: metadata
        )
        let versionID = try await upload.finish(record, precondition: precondition)

        var responseHeaders = S3Headers()
        responseHeaders.append("etag", etag.quoted)
        if let versionID { responseHeaders.append("x-amz-version-id", versionID) }
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        if let (algorithm, value) = verified.checksum {
            responseHeaders.append(algorithm.headerName, value)
            responseHeaders.append("x-amz-checksum-type", "FULL_OBJECT")
        }
        return S3Response(status: 200, headers: responseHeaders)
    }

    /// The conditional-write headers of a PutObject or CopyObject.
    func writePrecondition(_ headers: S3Headers) throws(S3Error) -> WritePrecondition {
        if let ifNoneMatch = headers["if-none-match"] {
            guard ifNoneMatch.trimmingHTTPWhitespace() == "*" else {
                throw S3Error(.notImplemented, details: [("Header", "If-None-Match"), ("additionalMessage", "We don't accept the provided value of If-None-Match header for this API")])
            }
            return .ifNoneMatchAny
        }
        if let ifMatch = headers["if-match"] {
            let value = ifMatch.trimmingHTTPWhitespace()
            if value == "*" { return .ifMatch("*") }
            return .ifMatch(ETag.unquote(String(value)))
        }
        return .none
    }
}

extension ObjectStore {
    /// Commits an object row whose blob is already in place (or, with `inlineBytes`, whose bytes
    /// go into the database with it), removing the blob it replaces; returns the new version's
    /// `x-amz-version-id` (nil in a bucket that never had versioning). Blocking: call on the I/O threads.
    @discardableResult
    func commit(_ record: ObjectRecord, inlineBytes: [UInt8]? = nil, precondition: WritePrecondition) throws -> String? {
        try settle(metadata.putObject(record, inlineBytes: inlineBytes, precondition: precondition), of: record, precondition)
    }

    /// ``commit(_:inlineBytes:precondition:)`` of an object stored inline, queued for the
    /// metadata writer's next group commit (``runCommitQueue(_:)``) without holding a thread.
    func commitInline(_ record: ObjectRecord, bytes: [UInt8], precondition: WritePrecondition) async throws -> String? {
        let result = try await metadata.putObject(record, inlineBytes: bytes, precondition: precondition, runningQueueWith: runCommitQueue)
        if case .preconditionFailed = result {
            // Which error it is takes a read.
            return try await io { try self.settle(result, of: record, precondition) }
        }
        return try settle(result, of: record, precondition)
    }

    /// The version id of a committed `record`, or the error its commit's result stands for;
    /// removes (later) the blob file the commit replaced. Blocking when the precondition failed.
    private func settle(_ result: PutObjectResult, of record: ObjectRecord, _ precondition: WritePrecondition) throws -> String? {
        switch result {
        case .stored(let replaced, let versionID):
            // An update of metadata alone (PutObjectAcl) keeps its blob.
            if let replaced, replaced != record.blobID { removeLater(replaced) }
            return versionID
        case .noSuchBucket:
            throw S3Error(.noSuchBucket, details: [("BucketName", record.bucket)])
        case .preconditionFailed:
            if case .ifMatch = precondition, try metadata.object(bucket: record.bucket, key: record.key) == nil {
                throw S3Error(.noSuchKey, details: [("Key", record.key)])
            }
            let condition = precondition == .ifNoneMatchAny ? "If-None-Match" : "If-Match"
            throw S3Error(.preconditionFailed, details: [("Condition", condition)])
        }
    }
}

extension ETag {
    /// An ETag as a client wrote it, without quotes or a weak prefix.
    static func unquote(_ value: String) -> String {
        var value = Substring(value)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = value.dropFirst().dropLast()
        }
        return String(value)
    }
}
