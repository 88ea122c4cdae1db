import Foundation
import S3EmulatorCore
import S3EmulatorStorage

extension ObjectMetadata {
    /// The most user metadata (names and values of `x-amz-meta-*`, in UTF-8 bytes) S3 accepts.
    static let maxUserMetadataBytes = 2048

    static let storageClasses: Set<String> = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
        "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
    ]

    /// The content headers, user metadata and storage class a PutObject (or a CopyObject with
    /// `REPLACE`) sets.
    init(requestHeaders headers: S3Headers) throws(S3Error) {
        self.init()
        contentType = headers["content-type"] ?? "binary/octet-stream"
        cacheControl = headers["cache-control"]
        contentDisposition = headers["content-disposition"]
        contentLanguage = headers["content-language"]
        expires = headers["expires"]
        if let encoding = headers["content-encoding"] {
            // aws-chunked is the transfer framing of this request, not a property of the object.
            let kept = encoding.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "aws-chunked" }
            contentEncoding = kept.isEmpty ? nil : kept.joined(separator: ",")
        }
        var userMetadataBytes = 0
        var userMetadata: [String: String] = [:]
        for field in headers where field.name.hasPrefix("x-amz-meta-") {
            let name = String(field.name.dropFirst("x-amz-meta-".count))
            userMetadataBytes += name.utf8.count + field.value.utf8.count
            if let existing = userMetadata[name] {
                userMetadata[name] = existing + "," + field.value
            } else {
                userMetadata[name] = field.value
            }
        }
        guard userMetadataBytes <= Self.maxUserMetadataBytes else {
            throw S3Error(.metadataTooLarge, details: [
                ("Size", String(userMetadataBytes)), ("MaxSizeAllowed", String(Self.maxUserMetadataBytes)),
            ])
        }
        self.userMetadata = userMetadata
        if let tagging = headers["x-amz-tagging"] {
            tags = try ObjectTagSet.parse(header: tagging)
        }
        if let storageClass = headers["x-amz-storage-class"] {
            guard Self.storageClasses.contains(storageClass) else {
                throw S3Error(.invalidStorageClass, details: [("StorageClassRequested", storageClass)])
            }
            self.storageClass = storageClass == "STANDARD" ? nil : storageClass
        }
        if let encryption = headers["x-amz-server-side-encryption"], encryption != "AES256" {
            if encryption == "aws:kms" || encryption == "aws:kms:dsse" {
                throw S3Error(.notImplemented, message: "s3emu does not emulate SSE-KMS")
            }
            throw S3Error(.invalidArgument, message: "The encryption method specified is not supported",
                          details: [("ArgumentName", "x-amz-server-side-encryption"), ("ArgumentValue", encryption)])
        }
    }
}

extension ObjectRecord {
    /// The headers GetObject and HeadObject answer with for this object.
    func responseHeaders(checksumMode: Bool) -> S3Headers {
        // Room for these, what GetObject adds (length, version, range) and the request ids.
        var headers = S3Headers(capacity: 16 + metadata.userMetadata.count)
        headers.append("last-modified", HTTPDate.format(lastModified))
        headers.append("etag", ETag(unquoted: etag).quoted)
        headers.append("x-amz-server-side-encryption", "AES256")
        headers.append("accept-ranges", "bytes")
        headers.append("content-type", metadata.contentType ?? "binary/octet-stream")
        if let value = metadata.cacheControl { headers.append("cache-control", value) }
        if let value = metadata.contentDisposition { headers.append("content-disposition", value) }
        if let value = metadata.contentEncoding { headers.append("content-encoding", value) }
        if let value = metadata.contentLanguage { headers.append("content-language", value) }
        if let value = metadata.expires { headers.append("expires", value) }
        if let value = metadata.storageClass { headers.append("x-amz-storage-class", value) }
        if !metadata.tags.isEmpty {
            headers.append("x-amz-tagging-count", String(metadata.tags.count))
        }
        for name in metadata.userMetadata.keys.sorted() {
            headers.append("x-amz-meta-" + name, metadata.userMetadata[name] ?? "")
        }
        if checksumMode {
            for (algorithm, value) in metadata.checksums.sorted(by: { $0.key < $1.key }) {
                headers.append("x-amz-checksum-" + algorithm.lowercased(), value)
            }
            if !metadata.checksums.isEmpty {
                headers.append("x-amz-checksum-type", metadata.checksumType ?? "FULL_OBJECT")
            }
        }
        return headers
    }
}
