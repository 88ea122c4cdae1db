import S3EmulatorCore
import S3EmulatorStorage

/// ListObjectVersions and GetBucketVersioning for buckets that have never had versioning
/// enabled: every object is its key's only version, the `null` version.
extension S3Emulator {
    func listObjectVersions(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        let query = context.query
        _ = try existingBucket(bucket)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(query)
        let maxKeys = try Self.maxKeys(query)
        let keyMarker = query["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        if let versionIDMarker = query["version-id-marker"], !versionIDMarker.isEmpty {
            guard keyMarker != nil else {
                throw S3Error(.invalidArgument, message: "A version-id marker cannot be specified without a key marker.",
                              details: [("ArgumentName", "version-id-marker"), ("ArgumentValue", versionIDMarker)])
            }
            guard versionIDMarker == "null" else {
                throw S3Error(.invalidArgument, message: "Invalid version id specified",
                              details: [("ArgumentName", "version-id-marker"), ("ArgumentValue", versionIDMarker)])
            }
        }
        let listing = try store.metadata.listObjects(
            bucket: bucket, prefix: prefix, delimiter: delimiter, marker: keyMarker, maxKeys: maxKeys
        )
        let encode: (String) -> String = { encodeURL ? URIEncoding.encode($0, encodeSlash: false) : $0 }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListVersionsResult", namespace: XMLWriter.s3Namespace)
        xml.element("Name", bucket)
        xml.element("Prefix", encode(prefix))
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("VersionIdMarker", query["version-id-marker"] ?? "")
        if listing.isTruncated, let last = listing.lastReturned {
            xml.element("NextKeyMarker", encode(last))
            xml.element("NextVersionIdMarker", "null")
        }
        xml.element("MaxKeys", String(maxKeys))
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", listing.isTruncated ? "true" : "false")
        for object in listing.objects {
            xml.open("Version")
            xml.element("Key", encode(object.key))
            xml.element("VersionId", "null")
            xml.element("IsLatest", "true")
            xml.element("LastModified", AmazonDate.formatISO8601(object.lastModified))
            xml.element("ETag", ETag(unquoted: object.etag).quoted)
            xml.element("Size", String(object.size))
            xml.open("Owner")
            xml.element("ID", owner.canonicalID)
            xml.close("Owner")
            xml.element("StorageClass", object.metadata.storageClass ?? "STANDARD")
            xml.close("Version")
        }
        for commonPrefix in listing.commonPrefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", encode(commonPrefix))
            xml.close("CommonPrefixes")
        }
        xml.close("ListVersionsResult")
        return .xml(xml.text)
    }

    /// A bucket that has never had versioning enabled answers an empty configuration.
    func getBucketVersioning(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        var xml = XMLWriter()
        xml.declaration()
        xml.open("VersioningConfiguration", namespace: XMLWriter.s3Namespace)
        xml.close("VersioningConfiguration")
        return .xml(xml.text)
    }
}
