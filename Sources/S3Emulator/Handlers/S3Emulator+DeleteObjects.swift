import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// The most keys one DeleteObjects request may name.
    static let maxDeleteObjectsKeys = 1000

    /// Operations whose body must carry Content-MD5 (or, as newer SDKs send instead, an
    /// `x-amz-checksum-*` header) — DeleteObjects, PutBucketTagging — refuse a body without one.
    static func requireContentChecksum(_ headers: S3Headers) throws(S3Error) {
        let hasChecksum = headers.contains("content-md5") || headers.fields.contains { field in
            field.name.hasPrefix("x-amz-checksum-") && ChecksumAlgorithm(headerName: field.name) != nil
        } || headers.contains("x-amz-sdk-checksum-algorithm")
        guard hasChecksum else {
            throw S3Error(.invalidRequest, message: "Missing required header for this request: Content-MD5")
        }
    }

    /// DeleteObjects: an XML list of keys, deleted one by one, each with its own result.
    func deleteObjects(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        try Self.requireContentChecksum(context.headers)
        let body = try await collectBody(context, limit: Self.maxDeleteBodyBytes)
        let (quiet, objects) = try Self.deleteRequest(body.readableBytesView)
        var entries = objects.map { Entry(key: $0.key, versionText: $0.versionText) }

        // s3:DeleteObject (s3:DeleteObjectVersion for a named version) is decided per key; a
        // refused key gets its own AccessDenied result, as does a malformed version id.
        for index in entries.indices {
            let entry = entries[index]
            do throws(S3Error) {
                let version = try entry.version
                let action = version == .latest ? "s3:DeleteObject" : "s3:DeleteObjectVersion"
                try authorize(context.subject, action: action, resource: S3ARN.object(bucket, entry.key), bucket: bucket)
            } catch {
                entries[index].refusal = error
            }
        }
        let store = self.store
        let now = configuration.clock.now()
        let results = try await store.io { [entries] () -> [(entry: Entry, outcome: Result<DeleteObjectResult, S3Error>)] in
            entries.map { entry in
                if let error = entry.refusal { return (entry, .failure(error)) }
                do {
                    try ObjectKey.validate(entry.key)
                    return (entry, .success(try store.deleteObject(bucket: bucket, key: entry.key, version: entry.version, now: now)))
                } catch let error as S3Error {
                    return (entry, .failure(error))
                } catch {
                    return (entry, .failure(S3Error(.internalError)))
                }
            }
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("DeleteResult", namespace: XMLWriter.s3Namespace)
        for (entry, outcome) in results {
            switch outcome {
            case .failure(let error):
                xml.open("Error")
                xml.element("Key", entry.key)
                if let versionText = entry.versionText { xml.element("VersionId", versionText) }
                xml.element("Code", error.code.code)
                xml.element("Message", error.message)
                xml.close("Error")
            case .success(let deleted):
                guard !quiet else { continue }
                xml.open("Deleted")
                xml.element("Key", entry.key)
                if let versionText = entry.versionText {
                    xml.element("VersionId", versionText)
                    if deleted.isDeleteMarker {
                        xml.element("DeleteMarker", "true")
                        xml.element("DeleteMarkerVersionId", versionText)
                    }
                } else if deleted.isDeleteMarker, let markerID = deleted.versionID {
                    xml.element("DeleteMarker", "true")
                    xml.element("DeleteMarkerVersionId", markerID)
                }
                xml.close("Deleted")
            }
        }
        xml.close("DeleteResult")
        return .xml(xml.text)
    }
}

/// One `<Object>` of a DeleteObjects request.
extension S3Emulator {
    /// The largest DeleteObjects body S3 reads.
    static let maxDeleteBodyBytes = 2 * 1024 * 1024

    /// The `<Delete>` document of a DeleteObjects request: `<Quiet>`, and each `<Object>`'s `<Key>`
    /// and `<VersionId>` as sent (a malformed version id is that key's own error, later).
    /// MalformedXML for another root, no objects, more than 1 000, or an object without a key.
    static func deleteRequest(
        _ bytes: some Collection<UInt8>
    ) throws(S3Error) -> (quiet: Bool, objects: [(key: String, versionText: String?)]) {
        let root = try XMLParser.parse(bytes, limits: .init(maxBytes: maxDeleteBodyBytes))
        guard root.name == "Delete" else { throw S3Error(.malformedXML) }
        let quiet = root.childText("Quiet")?.lowercased() == "true"
        let elements = root.children(named: "Object")
        guard !elements.isEmpty, elements.count <= maxDeleteObjectsKeys else { throw S3Error(.malformedXML) }
        var objects: [(key: String, versionText: String?)] = []
        objects.reserveCapacity(elements.count)
        for element in elements {
            guard let key = element.childText("Key") else { throw S3Error(.malformedXML) }
            objects.append((key, element.childText("VersionId")))
        }
        return (quiet, objects)
    }
}

private struct Entry: Sendable {
    let key: String
    /// The `<VersionId>` as sent.
    let versionText: String?
    /// Set when the key may not be deleted (or names a malformed version).
    var refusal: S3Error?

    init(key: String, versionText: String?) {
        self.key = key
        self.versionText = versionText
    }

    var version: VersionReference {
        get throws(S3Error) {
            try S3Emulator.versionReference(text: versionText)
        }
    }
}
