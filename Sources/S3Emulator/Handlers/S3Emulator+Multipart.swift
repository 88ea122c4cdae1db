import Crypto
import Foundation
import NIOCore
import S3EmulatorAuth
import S3EmulatorCore
import S3EmulatorStorage

/// Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
/// AbortMultipartUpload, ListParts, ListMultipartUploads.
///
/// Each part streams to its own blob. Completion checks the part list, then writes a composite
/// blob that joins the parts' blobs (nothing is copied) and commits the object row in the same
/// transaction that removes the upload.
extension S3Emulator {
    /// The highest part number S3 accepts.
    static let maxPartNumber = 10_000
    /// The smallest part S3 accepts, except the last one of a completed upload.
    static let minPartSize: Int64 = 5 * 1024 * 1024
    /// The largest part S3 accepts (as a PutObject).
    static var maxPartSize: Int64 { maxPutObjectSize }
    /// The most parts or uploads one listing page returns.
    static let maxListingPage = 1000
    /// The largest CompleteMultipartUpload body accepted (10 000 parts with every checksum fit).
    static let maxCompleteBodySize = 8 * 1024 * 1024

    // MARK: CreateMultipartUpload

    /// CreateMultipartUpload: records the object's metadata, ACL and checksum choice; answers the upload id.
    func createMultipartUpload(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        try ObjectKey.validate(key)
        let headers = context.headers
        var metadata = try ObjectMetadata(requestHeaders: headers)
        let (algorithm, checksumType) = try Self.multipartChecksum(headers)
        metadata.checksumType = checksumType
        _ = try existingBucket(bucket)
        metadata.acl = try requestedACL(headers, bucket: bucket)?.stored
        if Self.setsACL(headers) {
            try authorize(context.subject, action: "s3:PutObjectAcl", resource: S3ARN.object(bucket, key), bucket: bucket)
        }
        let now = configuration.clock.now()
        let upload = MultipartUploadRecord(
            uploadID: MultipartUploadRecord.makeUploadID(initiated: now), bucket: bucket, key: key, initiated: now,
            initiator: context.authentication.credential?.principal, checksumAlgorithm: algorithm?.rawValue, metadata: metadata
        )
        let created = try await store.io { [store] in try store.metadata.createMultipartUpload(upload) }
        guard created else {
            throw S3Error(.noSuchBucket, details: [("BucketName", bucket)])
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("InitiateMultipartUploadResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", upload.uploadID)
        xml.close("InitiateMultipartUploadResult")
        var responseHeaders = S3Headers()
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        if let algorithm, let checksumType {
            responseHeaders.append("x-amz-checksum-algorithm", algorithm.rawValue)
            responseHeaders.append("x-amz-checksum-type", checksumType)
        }
        return .xml(xml.text, headers: responseHeaders)
    }

    /// The checksum algorithm and type of a new upload (`x-amz-checksum-algorithm`,
    /// `x-amz-checksum-type`): COMPOSITE by default, FULL_OBJECT for CRC64NVME, which has no
    /// composite form; SHA-1 and SHA-256 have no full-object form.
    static func multipartChecksum(_ headers: S3Headers) throws(S3Error) -> (ChecksumAlgorithm?, String?) {
        let type = headers["x-amz-checksum-type"]
        if let type, type != "COMPOSITE", type != "FULL_OBJECT" {
            throw S3Error(.invalidRequest, message: "Value for x-amz-checksum-type header is invalid.")
        }
        guard let name = headers["x-amz-checksum-algorithm"] else {
            if type != nil {
                throw S3Error(.invalidRequest, message: "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
            }
            return (nil, nil)
        }
        guard let algorithm = ChecksumAlgorithm(algorithmName: name) else {
            throw S3Error(.invalidRequest, message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
        }
        switch (algorithm, type ?? (algorithm == .crc64nvme ? "FULL_OBJECT" : "COMPOSITE")) {
        case (.crc64nvme, "COMPOSITE"), (.sha1, "FULL_OBJECT"), (.sha256, "FULL_OBJECT"):
            throw S3Error(.invalidRequest, message: "The \(type ?? "") checksum type cannot be used with the \(algorithm.rawValue.lowercased()) checksum algorithm.")
        case (_, let resolved):
            return (algorithm, resolved)
        }
    }

    // MARK: UploadPart

    /// UploadPart: streams the body to a new blob (hashing it once), verifies the digests the
    /// client sent, then records the part (replacing a part of the same number).
    func uploadPart(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let headers = context.headers
        let partNumber = try Self.partNumber(context.query)
        let payload = try RequestPayload(context)
        // A transfer coding is accepted only around an aws-chunked body, whose decoded length is declared.
        if headers["transfer-encoding"] != nil, !payload.isAWSChunked {
            throw S3Error(.notImplemented, details: [("Header", "Transfer-Encoding")])
        }
        guard let length = payload.declaredLength else {
            throw S3Error(.missingContentLength)
        }
        guard length <= Self.maxPartSize else {
            throw S3Error(.entityTooLarge, details: [("ProposedSize", String(length)), ("MaxSizeAllowed", String(Self.maxPartSize))])
        }
        let uploadID = context.query["uploadId"] ?? ""
        let upload = try existingUpload(uploadID, bucket: bucket, key: key)
        let sentIntegrity = try BodyIntegrity(headers: headers)
        let uploadAlgorithm = upload.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(algorithmName:))
        if let uploadAlgorithm, let sent = sentIntegrity.checksumAlgorithm, sent != uploadAlgorithm {
            throw Self.checksumTypeMismatch(expected: uploadAlgorithm, actual: sent)
        }
        // The upload's algorithm is computed even when the client sent no checksum for the part.
        let uploadChecksum = uploadAlgorithm != nil && sentIntegrity.checksumAlgorithm == nil ? uploadAlgorithm.map(ChecksumCalculator.init) : nil
        let digests = BodyDigests(sentIntegrity, extra: uploadChecksum)

        // Always a file: a completed upload joins its parts' files (a composite blob).
        var blob = BlobUpload(store: store, digests: digests)
        let verified: (md5: [UInt8], checksum: (ChecksumAlgorithm, String)?)
        let integrity: BodyIntegrity
        do {
            let trailers = try await payload.stream(context.request.body) { buffer in
                try await blob.append(buffer)
            }
            try await blob.finishHashing()
            integrity = digests.integrity
            verified = try integrity.verify(trailingChecksum: trailers.first { $0.name.hasPrefix("x-amz-checksum-") })
        } catch {
            await blob.abort()
            throw error
        }
        if let uploadAlgorithm, let sent = verified.checksum?.0, sent != uploadAlgorithm {
            await blob.abort()
            throw Self.checksumTypeMismatch(expected: uploadAlgorithm, actual: sent)
        }
        let checksum = verified.checksum ?? digests.extraChecksum()
        let etag = ETag(md5: verified.md5)
        let part = PartRecord(
            partNumber: partNumber, size: integrity.byteCount, etag: etag.value, lastModified: configuration.clock.now(),
            blobID: "", checksum: uploadAlgorithm == nil ? nil : checksum?.1
        )
        try await blob.finish { [store] blobID in
            var part = part
            part.blobID = blobID
            try store.recordPart(part, uploadID: uploadID, bucket: bucket, key: key)
        }

        var responseHeaders = S3Headers()
        responseHeaders.append("etag", etag.quoted)
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        if let (algorithm, value) = checksum {
            responseHeaders.append(algorithm.headerName, value)
        }
        return S3Response(status: 200, headers: responseHeaders)
    }

    // MARK: UploadPartCopy

    /// UploadPartCopy: a part copied from an object (or, with `x-amz-copy-source-range`, a byte
    /// range of it), in one I/O hop.
    func uploadPartCopy(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let headers = context.headers
        let partNumber = try Self.partNumber(context.query)
        let copySourceHeader = headers["x-amz-copy-source"] ?? ""
        let (sourceBucket, sourceKey, sourceVersion) = try Self.parseCopySource(copySourceHeader)
        let uploadID = context.query["uploadId"] ?? ""
        let upload = try existingUpload(uploadID, bucket: bucket, key: key)
        let source = try copySource(context, bucket: sourceBucket, key: sourceKey, version: sourceVersion)
        if let storageClass = source.metadata.storageClass, storageClass == "GLACIER" || storageClass == "DEEP_ARCHIVE" {
            throw S3Error(.invalidObjectState, message: "Operation is not valid for the source object's storage class",
                          details: [("StorageClass", storageClass)])
        }
        let conditions = ConditionalHeaders(
            ifMatch: headers["x-amz-copy-source-if-match"], ifNoneMatch: headers["x-amz-copy-source-if-none-match"],
            ifModifiedSince: headers["x-amz-copy-source-if-modified-since"],
            ifUnmodifiedSince: headers["x-amz-copy-source-if-unmodified-since"]
        )
        if conditions.evaluate(etag: ETag(unquoted: source.etag).quoted, lastModified: source.lastModified, isReadRequest: false) != .proceed {
            throw S3Error(.preconditionFailed, details: [("Condition", "x-amz-copy-source-If-Match")])
        }
        let range: Range<Int64>
        if let header = headers["x-amz-copy-source-range"] {
            range = try Self.copySourceRange(header, sourceSize: source.size)
        } else {
            guard source.size <= Self.maxPartSize else {
                throw S3Error(.invalidRequest, message: "The specified copy source is larger than the maximum allowable size for a copy source: \(Self.maxPartSize)")
            }
            range = 0..<source.size
        }
        guard range.count <= Self.maxPartSize else {
            throw S3Error(.entityTooLarge, details: [("ProposedSize", String(range.count)), ("MaxSizeAllowed", String(Self.maxPartSize))])
        }
        let algorithm = upload.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(algorithmName:))
        let now = configuration.clock.now()
        let store = self.store

        let part = try await store.io { () throws -> PartRecord in
            let copy = try store.copyBlob(source.blobID, range: range, checksum: algorithm, inline: false)
            let part = PartRecord(
                partNumber: partNumber, size: copy.size, etag: ETag(md5: copy.md5).value,
                lastModified: now, blobID: copy.blobID, checksum: copy.checksum
            )
            do {
                try store.recordPart(part, uploadID: uploadID, bucket: bucket, key: key)
            } catch {
                store.blobs.remove(copy.blobID)
                throw error
            }
            return part
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("CopyPartResult", namespace: XMLWriter.s3Namespace)
        xml.element("LastModified", AmazonDate.formatISO8601(part.lastModified))
        xml.element("ETag", ETag(unquoted: part.etag).quoted)
        if let algorithm, let checksum = part.checksum {
            xml.element("Checksum" + algorithm.rawValue, checksum)
        }
        xml.close("CopyPartResult")
        var responseHeaders = S3Headers()
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        if let sourceVersionID = versionIDHeader(source) { responseHeaders.append("x-amz-copy-source-version-id", sourceVersionID) }
        return .xml(xml.text, headers: responseHeaders)
    }

    /// `x-amz-copy-source-range: bytes=first-last`, inside the source.
    static func copySourceRange(_ header: String, sourceSize: Int64) throws(S3Error) -> Range<Int64> {
        let invalid = S3Error(
            .invalidArgument,
            message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
            details: [("ArgumentName", "x-amz-copy-source-range"), ("ArgumentValue", header)]
        )
        guard header.hasPrefix("bytes=") else { throw invalid }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let first = Int64(bounds[0]), let last = Int64(bounds[1]), first <= last
        else {
            throw invalid
        }
        guard last < sourceSize else {
            throw S3Error(.invalidArgument, message: "Range specified is not valid for source object of size: \(sourceSize)",
                          details: [("ArgumentName", "x-amz-copy-source-range"), ("ArgumentValue", header)])
        }
        return first..<(last + 1)
    }

    // MARK: CompleteMultipartUpload

    /// One `<Part>` of a CompleteMultipartUpload body.
    struct CompletedPart {
        var partNumber: Int
        var etag: String
        /// `Checksum<ALGORITHM>` elements, by algorithm.
        var checksums: [ChecksumAlgorithm: String]
    }

    /// CompleteMultipartUpload: checks the part list against the uploaded parts, then commits
    /// the object, whose blob joins the parts' blobs, and removes the upload.
    func completeMultipartUpload(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let headers = context.headers
        let uploadID = context.query["uploadId"] ?? ""
        let upload = try existingUpload(uploadID, bucket: bucket, key: key)
        let body = try await collectCompleteBody(context)
        let requested = try Self.completedParts(body)
        let precondition = try writePrecondition(headers)
        let algorithm = upload.checksumAlgorithm.flatMap(ChecksumAlgorithm.init(algorithmName:))
        if let type = headers["x-amz-checksum-type"], type != (upload.metadata.checksumType ?? "") {
            throw S3Error(.invalidRequest, message: "The upload was created using the \(upload.metadata.checksumType ?? "null") checksum mode. The complete request must use the same checksum mode.")
        }
        var expectedChecksum: String?
        for field in headers where field.name.hasPrefix("x-amz-checksum-") {
            guard let sent = ChecksumAlgorithm(headerName: field.name), let algorithm else { continue }
            guard sent == algorithm else {
                throw Self.checksumTypeMismatch(expected: algorithm, actual: sent)
            }
            expectedChecksum = field.value
        }
        var expectedSize: Int64?
        if let value = headers["x-amz-mp-object-size"] {
            guard let size = Int64(value), size >= 0 else {
                throw S3Error(.invalidArgument, message: "The provided 'x-amz-mp-object-size' header is not valid.",
                              details: [("ArgumentName", "x-amz-mp-object-size"), ("ArgumentValue", value)])
            }
            expectedSize = size
        }
        let now = configuration.clock.now()
        let store = self.store

        let (object, versionID) = try await store.io { [expectedChecksum, expectedSize] () throws -> (ObjectRecord, String?) in
            // A part uploaded again between reading the parts and committing makes the commit
            // refuse (partsChanged); read them again.
            for _ in 0..<8 {
                let parts = try store.metadata.parts(uploadID: uploadID)
                var object = try Self.completedObject(
                    upload: upload, parts: parts, requested: requested, algorithm: algorithm,
                    expectedChecksum: expectedChecksum, expectedSize: expectedSize, now: now
                )
                let byNumber = Dictionary(parts.map { ($0.partNumber, $0) }, uniquingKeysWith: { first, _ in first })
                let used = requested.compactMap { byNumber[$0.partNumber] }
                object.blobID = used.count == 1 ? used[0].blobID : try store.blobs.makeComposite(of: used.map { ($0.blobID, $0.size) })
                let result: CompleteMultipartUploadResult
                do {
                    result = try store.metadata.completeMultipartUpload(
                        uploadID: uploadID, object: object, parts: used.map { ($0.partNumber, $0.blobID) }, precondition: precondition
                    )
                } catch {
                    // A failed commit (a full disk): the parts still belong to the upload.
                    if used.count != 1 { store.blobs.discardComposite(object.blobID) }
                    throw error
                }
                switch result {
                case .completed(let replaced, let discarded, let versionID):
                    if let replaced { store.blobs.remove(replaced) }
                    discarded.forEach(store.blobs.remove)
                    return (object, versionID)
                case .noSuchUpload, .partsChanged, .preconditionFailed:
                    // Only the composite's own file goes: its parts still belong to the upload.
                    if used.count != 1 { store.blobs.discardComposite(object.blobID) }
                    switch result {
                    case .noSuchUpload:
                        throw S3Error(.noSuchUpload, details: [("UploadId", uploadID)])
                    case .preconditionFailed:
                        if case .ifMatch = precondition, try store.metadata.object(bucket: bucket, key: key) == nil {
                            throw S3Error(.noSuchKey, details: [("Key", key)])
                        }
                        let condition = precondition == .ifNoneMatchAny ? "If-None-Match" : "If-Match"
                        throw S3Error(.preconditionFailed, details: [("Condition", condition)])
                    default:
                        continue
                    }
                }
            }
            throw S3Error(.internalError, message: "The parts of this upload kept changing while it was being completed.")
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("CompleteMultipartUploadResult", namespace: XMLWriter.s3Namespace)
        xml.element("Location", objectLocation(context))
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("ETag", ETag(unquoted: object.etag).quoted)
        for (name, value) in object.metadata.checksums.sorted(by: { $0.key < $1.key }) {
            xml.element("Checksum" + name, value)
        }
        if let type = object.metadata.checksumType, !object.metadata.checksums.isEmpty {
            xml.element("ChecksumType", type)
        }
        xml.close("CompleteMultipartUploadResult")
        var responseHeaders = S3Headers()
        responseHeaders.append("x-amz-server-side-encryption", "AES256")
        if let versionID { responseHeaders.append("x-amz-version-id", versionID) }
        return .xml(xml.text, headers: responseHeaders)
    }

    /// Reads the CompleteMultipartUpload body, checking its Content-MD5 and signed payload hash.
    /// Unlike other bodies, its `x-amz-checksum-*` headers are the checksum of the object
    /// being completed, not of the body, so they are left out of the body's checks.
    private func collectCompleteBody(_ context: RequestContext) async throws -> ByteBuffer {
        let payload = try RequestPayload(context)
        let limit = Self.maxCompleteBodySize
        if let length = payload.declaredLength, length > limit {
            throw S3Error(.maxMessageLengthExceeded, details: [("MaxMessageLengthBytes", String(limit))])
        }
        var integrity = try BodyIntegrity(headers: S3Headers(context.headers.fields.filter { !$0.name.hasPrefix("x-amz-checksum-") }))
        var collected = ByteBuffer()
        _ = try await payload.stream(context.request.body) { buffer in
            guard collected.readableBytes + buffer.readableBytes <= limit else {
                throw S3Error(.maxMessageLengthExceeded, details: [("MaxMessageLengthBytes", String(limit))])
            }
            buffer.withUnsafeReadableBytes { integrity.update($0) }
            var buffer = buffer
            collected.writeBuffer(&buffer)
        }
        _ = try integrity.verify()
        return collected
    }

    /// Parses a CompleteMultipartUpload body; checks that the part numbers ascend.
    static func completedParts(_ body: ByteBuffer) throws(S3Error) -> [CompletedPart] {
        let root = try XMLParser.parse(
            body.readableBytesView, limits: .init(maxBytes: maxCompleteBodySize, maxDepth: 8, maxElements: 200_000)
        )
        guard root.name == "CompleteMultipartUpload" else { throw S3Error(.malformedXML) }
        let elements = root.children(named: "Part")
        guard !elements.isEmpty, elements.count <= maxPartNumber else { throw S3Error(.malformedXML) }
        var parts: [CompletedPart] = []
        parts.reserveCapacity(elements.count)
        for element in elements {
            guard let text = element.childText("PartNumber"), let number = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                let etag = element.childText("ETag")
            else {
                throw S3Error(.malformedXML)
            }
            var checksums: [ChecksumAlgorithm: String] = [:]
            for algorithm in ChecksumAlgorithm.allCases {
                if let value = element.childText("Checksum" + algorithm.rawValue) {
                    checksums[algorithm] = value.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            parts.append(CompletedPart(partNumber: number, etag: ETag.unquote(etag.trimmingCharacters(in: .whitespacesAndNewlines)), checksums: checksums))
        }
        for (previous, next) in zip(parts, parts.dropFirst()) where next.partNumber <= previous.partNumber {
            throw S3Error(.invalidPartOrder)
        }
        return parts
    }

    /// The object a completion makes, after S3's checks: every requested part exists with that
    /// ETag (InvalidPart) and checksum, every part but the last is at least 5 MiB
    /// (EntityTooSmall), the checksums and the size the client sent match. Its blob id is unset.
    static func completedObject(
        upload: MultipartUploadRecord, parts: [PartRecord], requested: [CompletedPart], algorithm: ChecksumAlgorithm?,
        expectedChecksum: String?, expectedSize: Int64?, now: Date
    ) throws(S3Error) -> ObjectRecord {
        let byNumber = Dictionary(parts.map { ($0.partNumber, $0) }, uniquingKeysWith: { first, _ in first })
        var used: [PartRecord] = []
        used.reserveCapacity(requested.count)
        for entry in requested {
            guard let part = byNumber[entry.partNumber], part.etag == entry.etag else {
                throw S3Error(.invalidPart, details: [
                    ("UploadId", upload.uploadID), ("ETag", entry.etag), ("PartNumber", String(entry.partNumber)),
                ])
            }
            // Only the upload's algorithm counts (an upload created without one ignores part checksums).
            if let algorithm, let sent = entry.checksums[algorithm], sent != part.checksum {
                throw S3Error(.invalidPart, details: [
                    ("UploadId", upload.uploadID), ("ETag", entry.etag), ("PartNumber", String(entry.partNumber)),
                ])
            }
            if let algorithm, upload.metadata.checksumType == "COMPOSITE", entry.checksums[algorithm] == nil {
                throw S3Error(.invalidRequest, message: "The upload was created using a \(algorithm.rawValue.lowercased()) checksum. The complete request must include the checksum for each part. It was missing for part \(entry.partNumber) in the request.")
            }
            used.append(part)
        }
        for part in used.dropLast() where part.size < minPartSize {
            throw S3Error(.entityTooSmall, details: [
                ("ProposedSize", String(part.size)), ("MinSizeAllowed", String(minPartSize)),
                ("PartNumber", String(part.partNumber)), ("ETag", ETag(unquoted: part.etag).quoted),
            ])
        }
        let size = used.reduce(Int64(0)) { $0 + $1.size }
        if let expectedSize, expectedSize != size {
            throw S3Error(.invalidRequest, message: "The provided 'x-amz-mp-object-size' header value \(expectedSize) does not match what was computed: \(size)")
        }

        var md5 = Insecure.MD5()
        for part in used {
            md5.update(data: hexBytes(part.etag))
        }
        var metadata = upload.metadata
        metadata.checksums = [:]
        metadata.checksumType = nil
        if let algorithm, let type = upload.metadata.checksumType {
            let values = used.compactMap { part in part.checksum.flatMap(Base64.decode) }
            guard values.count == used.count else {
                throw S3Error(.invalidRequest, message: "The upload was created using a \(algorithm.rawValue.lowercased()) checksum; a part has none.")
            }
            let checksum: String
            if type == "FULL_OBJECT" {
                guard let combined = fullObjectChecksum(algorithm, values: values, sizes: used.map(\.size)) else {
                    throw S3Error(.invalidRequest, message: "The FULL_OBJECT checksum type cannot be used with the \(algorithm.rawValue.lowercased()) checksum algorithm.")
                }
                checksum = combined
            } else {
                var calculator = ChecksumCalculator(algorithm)
                for value in values {
                    value.withUnsafeBytes { calculator.update($0) }
                }
                checksum = calculator.finalize() + "-" + String(used.count)
            }
            if let expectedChecksum, expectedChecksum != checksum, expectedChecksum + "-" + String(used.count) != checksum {
                throw S3Error(.badDigest, message: "The \(algorithm.rawValue.lowercased()) you specified did not match the calculated checksum.")
            }
            metadata.checksums = [algorithm.rawValue: checksum]
            metadata.checksumType = type
        }
        return ObjectRecord(
            bucket: upload.bucket, key: upload.key, size: size,
            etag: ETag(multipartMD5: Array(md5.finalize()), partCount: used.count).value,
            lastModified: now, blobID: "", metadata: metadata
        )
    }

    /// The CRC of the whole object from the parts' CRCs and sizes; nil for SHA algorithms.
    static func fullObjectChecksum(_ algorithm: ChecksumAlgorithm, values: [[UInt8]], sizes: [Int64]) -> String? {
        func integer<Value: FixedWidthInteger>(_ bytes: [UInt8], as: Value.Type) -> Value {
            bytes.reduce(Value(0)) { $0 << 8 | Value($1) }
        }
        func bigEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
            (0..<(Value.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
        switch algorithm {
        case .crc32, .crc32c:
            var combined = integer(values[0], as: UInt32.self)
            for (value, size) in zip(values.dropFirst(), sizes.dropFirst()) {
                let next = integer(value, as: UInt32.self)
                combined = algorithm == .crc32
                    ? CRC32.combine(combined, next, secondLength: size) : CRC32C.combine(combined, next, secondLength: size)
            }
            return Base64.encode(bigEndian(combined))
        case .crc64nvme:
            var combined = integer(values[0], as: UInt64.self)
            for (value, size) in zip(values.dropFirst(), sizes.dropFirst()) {
                combined = CRC64NVME.combine(combined, integer(value, as: UInt64.self), secondLength: size)
            }
            return Base64.encode(bigEndian(combined))
        case .sha1, .sha256:
            return nil
        }
    }

    /// The bytes of a hex string (a part's MD5 ETag); invalid digits count as zero.
    static func hexBytes(_ hex: String) -> [UInt8] {
        func value(_ byte: UInt8) -> UInt8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: 0
            }
        }
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }

    /// The object's URL, as CompleteMultipartUpload's `Location` gives it.
    private func objectLocation(_ context: RequestContext) -> String {
        let scheme = context.request.isSecure ? "https" : "http"
        let host = context.request.host ?? "localhost"
        let path = URIEncoding.encode(context.key, encodeSlash: false)
        if context.address.isVirtualHosted {
            return scheme + "://" + host + "/" + path
        }
        return scheme + "://" + host + "/" + context.bucket + "/" + path
    }

    // MARK: AbortMultipartUpload

    /// AbortMultipartUpload: removes the upload and its parts' blobs; 204.
    func abortMultipartUpload(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let uploadID = context.query["uploadId"] ?? ""
        _ = try existingBucket(bucket)
        let aborted = try await store.io { [store] () -> Bool in
            guard let blobIDs = try store.metadata.abortMultipartUpload(uploadID: uploadID, bucket: bucket, key: key) else {
                return false
            }
            blobIDs.forEach(store.blobs.remove)
            return true
        }
        guard aborted else {
            throw S3Error(.noSuchUpload, details: [("UploadId", uploadID)])
        }
        return S3Response(status: 204)
    }

    // MARK: ListParts

    /// ListParts: the upload's parts after `part-number-marker`, `max-parts` at a time.
    func listParts(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        let key = context.key
        let query = context.query
        let uploadID = query["uploadId"] ?? ""
        let maxParts = try Self.pageSize(query, name: "max-parts")
        var marker = 0
        if let value = query["part-number-marker"], !value.isEmpty {
            guard let parsed = Int(value), parsed >= 0 else {
                throw S3Error(.invalidArgument, message: "Provided part-number-marker not an integer or within integer range",
                              details: [("ArgumentName", "part-number-marker"), ("ArgumentValue", value)])
            }
            marker = parsed
        }
        let upload = try existingUpload(uploadID, bucket: bucket, key: key)
        let listing = try store.metadata.listParts(uploadID: uploadID, partNumberMarker: marker, maxParts: maxParts)
        let algorithm = upload.checksumAlgorithm

        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListPartsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("Key", key)
        xml.element("UploadId", uploadID)
        xml.element("PartNumberMarker", String(marker))
        if let last = listing.parts.last {
            xml.element("NextPartNumberMarker", String(last.partNumber))
        }
        xml.element("MaxParts", String(maxParts))
        xml.element("IsTruncated", listing.isTruncated ? "true" : "false")
        for part in listing.parts {
            xml.open("Part")
            xml.element("PartNumber", String(part.partNumber))
            xml.element("LastModified", AmazonDate.formatISO8601(part.lastModified))
            xml.element("ETag", ETag(unquoted: part.etag).quoted)
            xml.element("Size", String(part.size))
            if let algorithm, let checksum = part.checksum {
                xml.element("Checksum" + algorithm, checksum)
            }
            xml.close("Part")
        }
        writeInitiatorAndOwner(&xml, upload)
        xml.element("StorageClass", upload.metadata.storageClass ?? "STANDARD")
        if let algorithm {
            xml.element("ChecksumAlgorithm", algorithm)
            xml.element("ChecksumType", upload.metadata.checksumType ?? "COMPOSITE")
        }
        xml.close("ListPartsResult")
        return .xml(xml.text)
    }

    // MARK: ListMultipartUploads

    /// ListMultipartUploads: uploads in progress by key, then initiation; prefix, delimiter,
    /// key-marker, upload-id-marker, max-uploads, encoding-type.
    func listMultipartUploads(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        let query = context.query
        _ = try existingBucket(bucket)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(query)
        let maxUploads = try Self.pageSize(query, name: "max-uploads")
        let keyMarker = query["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let uploadIDMarker = keyMarker == nil ? nil : query["upload-id-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let listing = try store.metadata.listMultipartUploads(
            bucket: bucket, prefix: prefix, delimiter: delimiter, keyMarker: keyMarker, uploadIDMarker: uploadIDMarker,
            maxUploads: maxUploads
        )
        let encode: (String) -> String = { encodeURL ? URIEncoding.encode($0, encodeSlash: false) : $0 }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListMultipartUploadsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Bucket", bucket)
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("UploadIdMarker", uploadIDMarker ?? "")
        if listing.isTruncated {
            xml.element("NextKeyMarker", encode(listing.nextKeyMarker ?? ""))
            xml.element("NextUploadIdMarker", listing.nextUploadIDMarker ?? "")
        }
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        xml.element("Prefix", encode(prefix))
        xml.element("MaxUploads", String(maxUploads))
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", listing.isTruncated ? "true" : "false")
        for upload in listing.uploads {
            xml.open("Upload")
            xml.element("Key", encode(upload.key))
            xml.element("UploadId", upload.uploadID)
            writeInitiatorAndOwner(&xml, upload)
            xml.element("StorageClass", upload.metadata.storageClass ?? "STANDARD")
            xml.element("Initiated", AmazonDate.formatISO8601(upload.initiated))
            if let algorithm = upload.checksumAlgorithm {
                xml.element("ChecksumAlgorithm", algorithm)
                xml.element("ChecksumType", upload.metadata.checksumType ?? "COMPOSITE")
            }
            xml.close("Upload")
        }
        for commonPrefix in listing.commonPrefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", encode(commonPrefix))
            xml.close("CommonPrefixes")
        }
        xml.close("ListMultipartUploadsResult")
        return .xml(xml.text)
    }

    private func writeInitiatorAndOwner(_ xml: inout XMLWriter, _ upload: MultipartUploadRecord) {
        xml.open("Initiator")
        if let initiator = upload.initiator, initiator.hasPrefix("user/") {
            xml.element("ID", "arn:aws:iam::\(configuration.accountID):\(initiator)")
            xml.element("DisplayName", String(initiator.dropFirst("user/".count)))
        } else {
            xml.element("ID", owner.canonicalID)
        }
        xml.close("Initiator")
        xml.open("Owner")
        xml.element("ID", owner.canonicalID)
        xml.close("Owner")
    }

    // MARK: GetObject and HeadObject with partNumber

    /// The byte range of part `partNumber` of an object and the object's part count (nil for
    /// an object that was not uploaded in parts, whose only part is 1: the whole object).
    func objectPart(_ record: ObjectRecord, partNumber text: String) async throws -> (range: ClosedRange<Int64>?, partsCount: Int?) {
        let partNumber = try Self.partNumber(text)
        guard let partsCount = ETag(unquoted: record.etag).partCount else {
            guard partNumber == 1 else { throw S3Error(.invalidPartNumber, details: [("PartNumberRequested", String(partNumber)), ("ActualPartCount", "1")]) }
            return (record.size == 0 ? nil : 0...(record.size - 1), nil)
        }
        guard partNumber <= partsCount else {
            throw S3Error(.invalidPartNumber, details: [("PartNumberRequested", String(partNumber)), ("ActualPartCount", String(partsCount))])
        }
        let store = self.store
        let sizes = try await store.io {
            let reader = try store.blobs.openReader(record.blobID)
            defer { reader.close() }
            return reader.segmentSizes
        }
        guard sizes.count == partsCount else {
            // Not joined from its parts (a single-part upload is its part's blob).
            return (record.size == 0 ? nil : 0...(record.size - 1), partsCount)
        }
        let start = sizes[..<(partNumber - 1)].reduce(Int64(0), +)
        let size = sizes[partNumber - 1]
        return (size == 0 ? nil : start...(start + size - 1), partsCount)
    }

    // MARK: Shared checks

    /// `partNumber`: an integer from 1 to 10 000.
    static func partNumber(_ query: QueryParameters) throws(S3Error) -> Int {
        try partNumber(query["partNumber"] ?? "")
    }

    static func partNumber(_ text: String) throws(S3Error) -> Int {
        guard let number = Int(text), (1...maxPartNumber).contains(number) else {
            throw S3Error(.invalidArgument, message: "Part number must be an integer between 1 and \(maxPartNumber), inclusive",
                          details: [("ArgumentName", "partNumber"), ("ArgumentValue", text)])
        }
        return number
    }

    /// `max-parts` / `max-uploads`: default and cap 1000.
    static func pageSize(_ query: QueryParameters, name: String) throws(S3Error) -> Int {
        guard let value = query[name] else { return maxListingPage }
        guard let parsed = Int(value), parsed >= 0 else {
            throw S3Error(.invalidArgument, message: "Provided \(name) not an integer or within integer range",
                          details: [("ArgumentName", name), ("ArgumentValue", value)])
        }
        return min(parsed, maxListingPage)
    }

    /// The upload `uploadID` of this bucket and key, or NoSuchUpload (NoSuchBucket when the
    /// bucket is missing).
    func existingUpload(_ uploadID: String, bucket: String, key: String) throws -> MultipartUploadRecord {
        if let upload = try store.metadata.multipartUpload(uploadID: uploadID), upload.bucket == bucket, upload.key == key {
            return upload
        }
        _ = try existingBucket(bucket)
        throw S3Error(.noSuchUpload, details: [("UploadId", uploadID)])
    }

    static func checksumTypeMismatch(expected: ChecksumAlgorithm?, actual: ChecksumAlgorithm) -> S3Error {
        S3Error(.invalidRequest, message: "Checksum Type mismatch occurred, expected checksum Type: \(expected?.rawValue.lowercased() ?? "null"), actual checksum Type: \(actual.rawValue.lowercased())")
    }
}

extension ObjectStore {
    /// Records a part whose blob is already in place, removing the blob of the part it replaces.
    /// Blocking: call on the I/O threads.
    func recordPart(_ part: PartRecord, uploadID: String, bucket: String, key: String) throws {
        switch try metadata.putPart(uploadID: uploadID, bucket: bucket, key: key, part) {
        case .stored(let replaced):
            if let replaced { blobs.remove(replaced) }
        case .noSuchUpload:
            throw S3Error(.noSuchUpload, details: [("UploadId", uploadID)])
        }
    }
}
