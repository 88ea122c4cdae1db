import Crypto
import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// CopyObject: `x-amz-copy-source`, its `-if-*` conditions, and the `COPY` / `REPLACE`
    /// metadata directive.
    func copyObject(_ context: RequestContext) async throws -> S3Response {
        let headers = context.headers
        let (sourceBucket, sourceKey) = try Self.parseCopySource(headers["x-amz-copy-source"] ?? "")
        let bucket = context.bucket
        let key = context.key
        try ObjectKey.validate(key)
        _ = try existingBucket(bucket)
        try authorize(context.subject, action: "s3:GetObject", resource: S3ARN.object(sourceBucket, sourceKey), bucket: sourceBucket)
        let source = try existingObject(bucket: sourceBucket, key: sourceKey)
        if let storageClass = source.metadata.storageClass, storageClass == "GLACIER" || storageClass == "DEEP_ARCHIVE" {
            throw S3Error(.invalidObjectState, message: "Operation is not valid for the source object's storage class",
                          details: [("StorageClass", storageClass)])
        }
        guard source.size <= Self.maxPutObjectSize else {
            throw S3Error(.invalidRequest, message: "The specified copy source is larger than the maximum allowable size for a copy source: \(Self.maxPutObjectSize)")
        }
        let conditions = ConditionalHeaders(
            ifMatch: headers["x-amz-copy-source-if-match"], ifNoneMatch: headers["x-amz-copy-source-if-none-match"],
            ifModifiedSince: headers["x-amz-copy-source-if-modified-since"],
            ifUnmodifiedSince: headers["x-amz-copy-source-if-unmodified-since"]
        )
        if conditions.evaluate(etag: ETag(unquoted: source.etag).quoted, lastModified: source.lastModified, isReadRequest: false) != .proceed {
            throw S3Error(.preconditionFailed, details: [("Condition", "x-amz-copy-source-If-Match")])
        }

        let directive = headers["x-amz-metadata-directive"] ?? "COPY"
        var metadata: ObjectMetadata
        switch directive {
        case "COPY":
            metadata = source.metadata
            if let storageClass = headers["x-amz-storage-class"] {
                guard ObjectMetadata.storageClasses.contains(storageClass) else {
                    throw S3Error(.invalidStorageClass, details: [("StorageClassRequested", storageClass)])
                }
                metadata.storageClass = storageClass == "STANDARD" ? nil : storageClass
            }
        case "REPLACE":
            metadata = try ObjectMetadata(requestHeaders: headers)
        default:
            throw S3Error(.invalidArgument, message: "Unknown metadata directive.",
                          details: [("ArgumentName", "x-amz-metadata-directive"), ("ArgumentValue", directive)])
        }
        let changesSomething = directive == "REPLACE" || headers["x-amz-storage-class"] != nil
            || headers["x-amz-server-side-encryption"] != nil || headers["x-amz-website-redirect-location"] != nil
            || headers["x-amz-checksum-algorithm"] != nil
        if sourceBucket == bucket, sourceKey == key, !changesSomething {
            throw S3Error(.invalidRequest, message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
        var newChecksum: ChecksumAlgorithm?
        if let value = headers["x-amz-checksum-algorithm"] {
            guard let algorithm = ChecksumAlgorithm(algorithmName: value) else {
                throw S3Error(.invalidRequest, message: "Value for x-amz-checksum-algorithm header is invalid.")
            }
            newChecksum = algorithm
        }
        switch headers["x-amz-tagging-directive"] ?? "COPY" {
        case "COPY":
            metadata.tags = source.metadata.tags
        case "REPLACE":
            metadata.tags = try ObjectTagSet.parse(header: headers["x-amz-tagging"] ?? "")
            if !metadata.tags.isEmpty {
                try authorize(context.subject, action: "s3:PutObjectTagging", resource: S3ARN.object(bucket, key), bucket: bucket)
            }
        case let other:
            throw S3Error(.invalidArgument, message: "Unknown tagging directive.",
                          details: [("ArgumentName", "x-amz-tagging-directive"), ("ArgumentValue", other)])
        }
        let precondition = try writePrecondition(headers)
        if Self.setsACL(headers) {
            try authorize(context.subject, action: "s3:PutObjectAcl", resource: S3ARN.object(bucket, key), bucket: bucket)
            metadata.acl = try requestedACL(headers, bucket: bucket)?.stored
        } else if directive == "REPLACE" || sourceBucket != bucket {
            metadata.acl = nil
        }
        let now = configuration.clock.now()
        let store = self.store

        let record = try await store.io { [metadata, newChecksum] () throws -> ObjectRecord in
            let copy = try store.copyBlob(source.blobID, range: 0..<source.size, checksum: newChecksum)
            var copied = ObjectRecord(
                bucket: bucket, key: key, size: copy.size, etag: ETag(md5: copy.md5).value,
                lastModified: now, blobID: copy.blobID, metadata: metadata
            )
            if let checksum = copy.checksum, let algorithm = newChecksum {
                copied.metadata.checksums = [algorithm.rawValue: checksum]
                copied.metadata.checksumType = "FULL_OBJECT"
            } else {
                copied.metadata.checksums = source.metadata.checksums
                copied.metadata.checksumType = source.metadata.checksumType
            }
            do {
                try store.commit(copied, precondition: precondition)
            } catch {
                store.blobs.remove(copy.blobID)
                throw error
            }
            return copied
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("CopyObjectResult", namespace: XMLWriter.s3Namespace)
        xml.element("LastModified", AmazonDate.formatISO8601(record.lastModified))
        xml.element("ETag", ETag(unquoted: record.etag).quoted)
        for (algorithm, value) in record.metadata.checksums.sorted(by: { $0.key < $1.key }) {
            xml.element("Checksum" + algorithm, value)
        }
        if let type = record.metadata.checksumType, !record.metadata.checksums.isEmpty {
            xml.element("ChecksumType", type)
        }
        xml.close("CopyObjectResult")
        var responseHeaders = S3Headers()
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        return .xml(xml.text, headers: responseHeaders)
    }

    /// Splits `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optionally
    /// with `?versionId=`) into bucket and key.
    static func parseCopySource(_ value: String) throws(S3Error) -> (bucket: String, key: String) {
        var source = Substring(value)
        if source.hasPrefix("/") { source = source.dropFirst() }
        if let question = source.firstIndex(of: "?") {
            let query = source[source.index(after: question)...]
            source = source[..<question]
            if query.hasPrefix("versionId="), query.dropFirst("versionId=".count) != "null" {
                throw S3Error(.notImplemented, message: "Copying from a version is not supported yet")
            }
        }
        guard let decoded = URIEncoding.percentDecode(source),
              let slash = decoded.firstIndex(of: "/"),
              slash != decoded.startIndex,
              decoded.index(after: slash) != decoded.endIndex
        else {
            throw S3Error(.invalidArgument, message: "Invalid copy source object key",
                          details: [("ArgumentName", "x-amz-copy-source"), ("ArgumentValue", value)])
        }
        return (String(decoded[..<slash]), String(decoded[decoded.index(after: slash)...]))
    }
}
