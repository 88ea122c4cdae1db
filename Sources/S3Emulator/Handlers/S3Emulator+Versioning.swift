import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// Put/GetBucketVersioning, ListObjectVersions, and what every operation on one version shares:
/// the `versionId` parameter, `x-amz-version-id`, and delete markers.
extension S3Emulator {
    // MARK: Bucket versioning

    func getBucketVersioning(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        var xml = XMLWriter()
        xml.declaration()
        xml.open("VersioningConfiguration", namespace: XMLWriter.s3Namespace)
        if let versioning = bucketSettings(context.bucket).versioning {
            xml.element("Status", versioning.rawValue)
        }
        xml.close("VersioningConfiguration")
        return .xml(xml.text)
    }

    /// PutBucketVersioning: `Enabled` or `Suspended`. A bucket that had versioning enabled never
    /// returns to the unversioned state; MFA delete is not emulated.
    func putBucketVersioning(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        let body = try await collectBody(context, limit: 64 * 1024)
        guard let versioning = try Self.versioningConfiguration(Array(body.readableBytesView)) else {
            return S3Response(status: 200)  // nothing to change
        }
        try await setBucketConfiguration(context.bucket, name: BucketVersioning.configurationName, value: versioning.rawValue)
        return S3Response(status: 200)
    }

    /// Reads a `<VersioningConfiguration>` document: the new state, nil when it changes nothing.
    static func versioningConfiguration(_ bytes: [UInt8]) throws(S3Error) -> BucketVersioning? {
        let root = try XMLParser.parse(bytes)
        guard root.name == "VersioningConfiguration" else { throw S3Error(.malformedXML) }
        if let mfaDelete = root.childText("MfaDelete") {
            switch mfaDelete {
            case "Disabled": break
            case "Enabled": throw S3Error(.notImplemented, message: "s3emu does not emulate MFA delete")
            default: throw S3Error(.malformedXML)
            }
        }
        guard let status = root.childText("Status") else { return nil }
        guard let versioning = BucketVersioning(rawValue: status) else { throw S3Error(.malformedXML) }
        return versioning
    }

    // MARK: versionId

    /// The version a request's `versionId` parameter names.
    static func versionReference(_ query: QueryParameters) throws(S3Error) -> VersionReference {
        try versionReference(text: query["versionId"])
    }

    /// The version a `versionId` value names (`nil`: the current version).
    static func versionReference(text: String?) throws(S3Error) -> VersionReference {
        guard let text else { return .latest }
        if text == "null" { return .null }
        guard !text.isEmpty else {
            throw S3Error(.invalidArgument, message: "Version id cannot be the empty string",
                          details: [("ArgumentName", "versionId"), ("ArgumentValue", "")])
        }
        guard VersionID.isWellFormed(text) else {
            throw S3Error(.invalidArgument, message: "Invalid version id specified",
                          details: [("ArgumentName", "versionId"), ("ArgumentValue", text)])
        }
        return .id(text)
    }

    /// The `x-amz-version-id` of a version: its id, `null` for the null version of a bucket that
    /// has (or had) versioning, none in a bucket that never had it.
    func versionIDHeader(_ record: ObjectRecord) -> String? {
        if let versionID = record.versionID { return versionID }
        return bucketSettings(record.bucket).versioning == nil ? nil : VersionReference.text(nil)
    }

    /// The object version a request names, or the error S3 gives: NoSuchBucket, NoSuchKey (also
    /// when the current version is a delete marker, with `x-amz-delete-marker`), NoSuchVersion,
    /// or MethodNotAllowed for a version that is a delete marker.
    func existingObject(bucket: String, key: String, version: VersionReference = .latest, method: String = "GET") throws -> ObjectRecord {
        try existingObject(bucket: bucket, key: key, version: version, method: method, inlineBytesUpTo: 0).record
    }

    /// ``existingObject(bucket:key:version:method:)``, with the object's bytes when they are an
    /// inline blob of at most `limit` bytes, read with its row.
    func existingObject(
        bucket: String, key: String, version: VersionReference, method: String, inlineBytesUpTo limit: Int64
    ) throws -> (record: ObjectRecord, inlineBytes: [UInt8]?) {
        guard let (record, inlineBytes) = try store.metadata.objectVersion(bucket: bucket, key: key, version: version, inlineBytesUpTo: limit) else {
            _ = try existingBucket(bucket)
            if case .latest = version {
                throw S3Error(.noSuchKey, details: [("Key", key)])
            }
            throw S3Error(.noSuchVersion, details: [("Key", key), ("VersionId", VersionReference.text(version.storedVersionID))])
        }
        guard record.isDeleteMarker else { return (record, inlineBytes) }
        var headers: [(name: String, value: String)] = [("x-amz-delete-marker", "true")]
        if let versionID = versionIDHeader(record) { headers.append(("x-amz-version-id", versionID)) }
        if case .latest = version {
            throw S3Error(.noSuchKey, details: [("Key", key)], headers: headers)
        }
        headers.append(("allow", "DELETE"))
        headers.append(("last-modified", HTTPDate.format(record.lastModified)))
        throw S3Error(.methodNotAllowed, details: [("Method", method), ("ResourceType", "DeleteMarker")], headers: headers)
    }

    // MARK: ListObjectVersions

    func listObjectVersions(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        let query = context.query
        _ = try existingBucket(bucket)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(query)
        let maxKeys = try Self.maxKeys(query)
        let keyMarker = query["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        var versionIDMarker: VersionReference?
        if let text = query["version-id-marker"], !text.isEmpty {
            guard keyMarker != nil else {
                throw S3Error(.invalidArgument, message: "A version-id marker cannot be specified without a key marker.",
                              details: [("ArgumentName", "version-id-marker"), ("ArgumentValue", text)])
            }
            guard text == "null" || VersionID.isWellFormed(text) else {
                throw S3Error(.invalidArgument, message: "Invalid version id specified",
                              details: [("ArgumentName", "version-id-marker"), ("ArgumentValue", text)])
            }
            versionIDMarker = text == "null" ? .null : .id(text)
        }
        let listing = try store.metadata.listObjectVersions(
            bucket: bucket, prefix: prefix, delimiter: delimiter, keyMarker: keyMarker, versionIDMarker: versionIDMarker, maxKeys: maxKeys
        )
        let encode: (String) -> String = { encodeURL ? URIEncoding.encode($0, encodeSlash: false) : $0 }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListVersionsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Name", bucket)
        xml.element("Prefix", encode(prefix))
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("VersionIdMarker", query["version-id-marker"] ?? "")
        if let next = listing.nextKeyMarker {
            xml.element("NextKeyMarker", encode(next))
        }
        if let next = listing.nextVersionIDMarker {
            xml.element("NextVersionIdMarker", next)
        }
        xml.element("MaxKeys", String(maxKeys))
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", listing.isTruncated ? "true" : "false")
        for entry in listing.entries {
            let record = entry.record
            xml.open(record.isDeleteMarker ? "DeleteMarker" : "Version")
            xml.element("Key", encode(record.key))
            xml.element("VersionId", VersionReference.text(record.versionID))
            xml.element("IsLatest", entry.isLatest ? "true" : "false")
            xml.element("LastModified", AmazonDate.formatISO8601(record.lastModified))
            if !record.isDeleteMarker {
                xml.element("ETag", ETag(unquoted: record.etag).quoted)
                xml.element("Size", String(record.size))
                xml.element("StorageClass", record.metadata.storageClass ?? "STANDARD")
            }
            xml.open("Owner")
            xml.element("ID", owner.canonicalID)
            xml.close("Owner")
            xml.close(record.isDeleteMarker ? "DeleteMarker" : "Version")
        }
        for commonPrefix in listing.commonPrefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", encode(commonPrefix))
            xml.close("CommonPrefixes")
        }
        xml.close("ListVersionsResult")
        return .xml(xml.text)
    }
}
