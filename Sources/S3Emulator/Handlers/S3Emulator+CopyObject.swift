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
        let (sourceBucket, sourceKey, sourceVersion) = try Self.parseCopySource(headers["x-amz-copy-source"] ?? "")
        let bucket = context.bucket
        let key = context.key
        try ObjectKey.validate(key)
        _ = try existingBucket(bucket)
        let source = try copySource(context, bucket: sourceBucket, key: sourceKey, version: sourceVersion)
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
        // Copying an older version onto its own key is how a version is restored.
        if sourceBucket == bucket, sourceKey == key, sourceVersion == .latest, !changesSomething {
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

        let (record, versionID) = try await store.io { [metadata, newChecksum] () throws -> (ObjectRecord, String?) in
            let copy = try store.copyBlob(source.blobID, range: 0..<source.size, checksum: newChecksum, inline: true)
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
                return (copied, try store.commit(copied, inlineBytes: copy.inlineBytes, precondition: precondition))
            } catch {
                store.blobs.remove(copy.blobID)
                throw error
            }
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
        if let sourceVersionID = versionIDHeader(source) { responseHeaders.append("x-amz-copy-source-version-id", sourceVersionID) }
        if let versionID { responseHeaders.append("x-amz-version-id", versionID) }
        return .xml(xml.text, headers: responseHeaders)
    }

    /// The source object of a CopyObject or UploadPartCopy, once the subject may read it
    /// (`s3:GetObject`, or `s3:GetObjectVersion` for a named version).
    func copySource(_ context: RequestContext, bucket: String, key: String, version: VersionReference) throws -> ObjectRecord {
        let action = version == .latest ? "s3:GetObject" : "s3:GetObjectVersion"
        try authorize(context.subject, action: action, resource: S3ARN.object(bucket, key), bucket: bucket)
        do {
            return try existingObject(bucket: bucket, key: key, version: version)
        } catch let error as S3Error where error.code == .methodNotAllowed {
            throw S3Error(.invalidRequest, message: "The source of a copy request may not specifically refer to a delete marker by version id.")
        }
    }

    /// Splits `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optionally
    /// with `?versionId=`) into bucket, key and version.
    static func parseCopySource(_ value: String) throws(S3Error) -> (bucket: String, key: String, version: VersionReference) {
        var source = Substring(value)
        if source.hasPrefix("/") { source = source.dropFirst() }
        var version = VersionReference.latest
        if let question = source.firstIndex(of: "?") {
            let query = source[source.index(after: question)...]
            source = source[..<question]
            guard query.hasPrefix("versionId=") else {
                throw S3Error(.invalidArgument, message: "Invalid copy source object key",
                              details: [("ArgumentName", "x-amz-copy-source"), ("ArgumentValue", value)])
            }
            let text = String(query.dropFirst("versionId=".count))
            if text == "null" {
                version = .null
            } else if VersionID.isWellFormed(text) {
                version = .id(text)
            } else {
                throw S3Error(.invalidArgument, message: "Invalid version id specified",
                              details: [("ArgumentName", "x-amz-copy-source"), ("ArgumentValue", value)])
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
        return (String(decoded[..<slash]), String(decoded[decoded.index(after: slash)...]), version)
    }
}
