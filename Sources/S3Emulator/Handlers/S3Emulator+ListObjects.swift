import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// The most keys one listing page returns.
    static let maxKeysPerPage = 1000

    /// ListObjects (version 1, `marker`) and ListObjectsV2 (`continuation-token`, `start-after`).
    func listObjects(_ context: RequestContext, version: Int) throws -> S3Response {
        let bucket = context.bucket
        let query = context.query
        _ = try existingBucket(bucket)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(query)
        let maxKeys = try Self.maxKeys(query)

        var marker: String?
        let continuationToken = query["continuation-token"]
        let startAfter = query["start-after"]
        if version == 2 {
            if let continuationToken {
                guard !continuationToken.isEmpty, let decoded = ContinuationToken.decode(continuationToken) else {
                    throw S3Error(.invalidArgument, message: "The continuation token provided is incorrect",
                                  details: [("ArgumentName", "continuation-token")])
                }
                marker = decoded
            } else if let startAfter, !startAfter.isEmpty {
                marker = startAfter
            }
        } else if let value = query["marker"], !value.isEmpty {
            marker = value
        }

        let listing = try store.metadata.listObjects(
            bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys
        )
        let encode: (String) -> String = { encodeURL ? URIEncoding.encode($0, encodeSlash: false) : $0 }
        let fetchOwner = version == 1 || query["fetch-owner"] == "true"

        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListBucketResult", namespace: XMLWriter.s3Namespace)
        xml.element("Name", bucket)
        xml.element("Prefix", encode(prefix))
        if version == 2 {
            if let continuationToken { xml.element("ContinuationToken", continuationToken) }
            if listing.isTruncated, let last = listing.lastReturned {
                xml.element("NextContinuationToken", ContinuationToken.encode(last))
            }
            xml.element("KeyCount", String(listing.objects.count + listing.commonPrefixes.count))
            if let startAfter { xml.element("StartAfter", encode(startAfter)) }
        } else {
            xml.element("Marker", encode(query["marker"] ?? ""))
            if listing.isTruncated, delimiter != nil, let last = listing.lastReturned {
                xml.element("NextMarker", encode(last))
            }
        }
        xml.element("MaxKeys", String(maxKeys))
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", listing.isTruncated ? "true" : "false")
        for object in listing.objects {
            xml.open("Contents")
            xml.element("Key", encode(object.key))
            xml.element("LastModified", AmazonDate.formatISO8601(object.lastModified))
            xml.element("ETag", ETag(unquoted: object.etag).quoted)
            for algorithm in object.metadata.checksums.keys.sorted() {
                xml.element("ChecksumAlgorithm", algorithm)
            }
            if !object.metadata.checksums.isEmpty {
                xml.element("ChecksumType", object.metadata.checksumType ?? "FULL_OBJECT")
            }
            xml.element("Size", String(object.size))
            if fetchOwner {
                xml.open("Owner")
                xml.element("ID", owner.canonicalID)
                xml.close("Owner")
            }
            xml.element("StorageClass", object.metadata.storageClass ?? "STANDARD")
            xml.close("Contents")
        }
        for commonPrefix in listing.commonPrefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", encode(commonPrefix))
            xml.close("CommonPrefixes")
        }
        xml.close("ListBucketResult")
        return .xml(xml.text)
    }

    /// `encoding-type`: absent or `url`; true for `url`.
    static func encodingType(_ query: QueryParameters) throws(S3Error) -> Bool {
        switch query["encoding-type"] {
        case nil: return false
        case "url": return true
        case let other?:
            throw S3Error(.invalidArgument, message: "Invalid Encoding Method specified in Request",
                          details: [("ArgumentName", "encoding-type"), ("ArgumentValue", other)])
        }
    }

    /// `max-keys`: a non-negative integer, capped at ``maxKeysPerPage`` (the default).
    static func maxKeys(_ query: QueryParameters) throws(S3Error) -> Int {
        guard let value = query["max-keys"] else { return maxKeysPerPage }
        guard let parsed = Int(value), parsed >= 0 else {
            throw S3Error(.invalidArgument, message: "Provided max-keys not an integer or within integer range",
                          details: [("ArgumentName", "max-keys"), ("ArgumentValue", value)])
        }
        return min(parsed, maxKeysPerPage)
    }
}
