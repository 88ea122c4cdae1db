import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// The parsers of this module that read client bytes, reachable from the fuzzing targets
/// (`S3EmulatorFuzzing`) without a server: each takes what a request carries and either
/// returns or throws the `S3Error` the request would be answered with.
///
/// `package`, not `public`: only targets of this package (the fuzzing library and its tests)
/// call them. They call the handlers' own readers; where a handler reads a document inline
/// (tagging, ACL), the function here follows its steps (`XMLParser`, the same elements): keep
/// the two in step.
package enum RequestParsing {
    private static let owner = Owner(accountID: "123456789012")

    /// Addressing and routing of a request head, as ``S3Emulator/prepare(_:)`` does them:
    /// the bucket and key from the `Host` and the path, the query, then the operation.
    package static func route(
        method: String, host: String?, rawPath: String, rawQuery: String?,
        headers: [(name: String, value: String)], domains: [String]
    ) throws(S3Error) -> (operation: String, address: RequestAddress) {
        let address = try RequestAddress.resolve(host: host, rawPath: rawPath, domains: domains)
        let query = try QueryParameters(rawQuery: rawQuery)
        let operation = try S3Operation.route(method: method, address: address, query: query, headers: S3Headers(headers))
        return (operation.rawValue, address)
    }

    /// CompleteMultipartUpload: the `<CompleteMultipartUpload>` part list. Returns the number of parts.
    package static func completeMultipartUpload(_ bytes: [UInt8]) throws(S3Error) -> Int {
        try S3Emulator.completedParts(ByteBuffer(bytes: bytes)).count
    }

    /// PutObjectTagging: the `<Tagging>` document. Returns the tags.
    package static func tagging(_ bytes: [UInt8]) throws(S3Error) -> [String: String] {
        try ObjectTagSet.parse(xml: try XMLParser.parse(bytes))
    }

    /// `x-amz-tagging` (PutObject, CreateMultipartUpload, POST Object): the URL-encoded tag set.
    package static func taggingHeader(_ value: String) throws(S3Error) -> [String: String] {
        try ObjectTagSet.parse(header: value)
    }

    /// PutBucketAcl / PutObjectAcl: the `<AccessControlPolicy>` document. Returns the number of grants.
    package static func accessControlPolicy(_ bytes: [UInt8]) throws(S3Error) -> Int {
        try AccessControlList.fromXML(try XMLParser.parse(bytes), ownerID: owner.canonicalID).grants.count
    }

    /// DeleteObjects: the `<Delete>` document, read by the handler's own code; then each key and
    /// version id, as the handler checks them one by one. Returns the keys.
    package static func delete(_ bytes: [UInt8]) throws(S3Error) -> [String] {
        let (_, objects) = try S3Emulator.deleteRequest(bytes)
        for object in objects {
            // Checked per key: a bad key or version id is that key's own <Error>.
            _ = try? S3Emulator.versionReference(text: object.versionText)
            _ = try? ObjectKey.validate(object.key)
        }
        return objects.map(\.key)
    }

    /// CreateBucket: the `<CreateBucketConfiguration>` document, read by the handler's own code.
    /// Returns the location constraint, nil when there is none.
    package static func createBucketConfiguration(_ bytes: [UInt8]) throws(S3Error) -> String? {
        try S3Emulator.locationConstraint(bytes)
    }

    /// PutBucketVersioning: the `<VersioningConfiguration>` document, read by the handler's own code.
    /// Returns the new state, nil when the document changes nothing.
    package static func versioningConfiguration(_ bytes: [UInt8]) throws(S3Error) -> String? {
        try S3Emulator.versioningConfiguration(bytes)?.rawValue
    }

    /// A `versionId` query parameter or `<VersionId>` element. Returns whether it names a version.
    package static func versionID(_ text: String?) throws(S3Error) -> Bool {
        switch try S3Emulator.versionReference(text: text) {
        case .latest: false
        default: true
        }
    }

    /// `x-amz-copy-source-range` of UploadPartCopy against a source of `sourceSize` bytes.
    package static func copySourceRange(_ header: String, sourceSize: Int64) throws(S3Error) -> Range<Int64> {
        try S3Emulator.copySourceRange(header, sourceSize: sourceSize)
    }

    /// The `partNumber` query parameter.
    package static func partNumber(_ text: String) throws(S3Error) -> Int {
        try S3Emulator.partNumber(text)
    }

    /// `x-amz-acl` and `x-amz-grant-*` (PutObject, CreateBucket, PutBucketAcl, PutObjectAcl), read
    /// as the handlers read them. Returns the number of grants; nil when the headers set no ACL.
    package static func grantHeaders(_ headers: [(name: String, value: String)]) throws(S3Error) -> Int? {
        try AccessControlList.fromGrantHeaders(S3Headers(headers), ownerID: owner.canonicalID)?.grants.count
    }

    /// `Content-MD5`, `x-amz-checksum-*`, `x-amz-sdk-checksum-algorithm` and `x-amz-trailer`: the
    /// checks a request body must pass, applied to `body`. Returns the checksum an upload of it
    /// stores, if any.
    package static func bodyIntegrity(
        _ headers: [(name: String, value: String)], body: [UInt8]
    ) throws(S3Error) -> (algorithm: ChecksumAlgorithm, value: String)? {
        var integrity = try BodyIntegrity(headers: S3Headers(headers))
        body.withUnsafeBytes { integrity.update($0) }
        return try integrity.verify().checksum.map { (algorithm: $0.0, value: $0.1) }
    }

    /// The headers PutObject stores with an object (content headers, `x-amz-meta-*`,
    /// `x-amz-tagging`, `x-amz-storage-class`, `x-amz-server-side-encryption`). Returns the user metadata.
    package static func objectMetadata(_ headers: [(name: String, value: String)]) throws(S3Error) -> [String: String] {
        try ObjectMetadata(requestHeaders: S3Headers(headers)).userMetadata
    }

    /// ListObjectsV2's `continuation-token`: the key the listing resumes after; nil for a token
    /// the handler refuses.
    package static func continuationToken(_ token: String) -> String? {
        ContinuationToken.decode(token)
    }

    /// The `NextContinuationToken` of a listing that stopped after `key`.
    package static func continuationToken(resumingAfter key: String) -> String {
        ContinuationToken.encode(key)
    }

    /// POST Object: the `multipart/form-data` body whose `Content-Type` is `contentType`, read
    /// from `body` as the handler reads it (fields, the file's content, what follows).
    /// Returns the fields, and the file's size when there is a file part.
    package static func postObjectForm(
        contentType: String, body: S3RequestBody, declaredLength: Int64
    ) async throws -> (fields: [(name: String, value: String)], fileSize: Int64?) {
        guard let boundary = try MultipartFormData.boundary(contentType: contentType) else {
            throw S3Error(.preconditionFailed)
        }
        var reader = MultipartFormDataReader(boundary: boundary, body: body, declaredLength: declaredLength)
        let (fields, file) = try await reader.readFields()
        var fileSize: Int64?
        if file != nil {
            fileSize = try await reader.streamFile { _ in }
        }
        try await reader.drain()
        return (fields, fileSize)
    }
}
