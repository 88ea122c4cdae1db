import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

extension S3Emulator {
    /// The most keys one DeleteObjects request may name.
    static let maxDeleteObjectsKeys = 1000

    /// DeleteObjects: an XML list of keys, deleted one by one, each with its own result.
    func deleteObjects(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        let headers = context.headers
        let hasChecksum = headers.contains("content-md5") || headers.fields.contains { field in
            field.name.hasPrefix("x-amz-checksum-") && ChecksumAlgorithm(headerName: field.name) != nil
        } || headers.contains("x-amz-sdk-checksum-algorithm")
        guard hasChecksum else {
            throw S3Error(.invalidRequest, message: "Missing required header for this request: Content-MD5")
        }
        let body = try await collectBody(context, limit: 2 * 1024 * 1024)
        let root = try XMLParser.parse(body.readableBytesView, limits: .init(maxBytes: 2 * 1024 * 1024))
        guard root.name == "Delete" else { throw S3Error(.malformedXML) }
        let quiet = root.childText("Quiet")?.lowercased() == "true"
        let objects = root.children(named: "Object")
        guard !objects.isEmpty, objects.count <= Self.maxDeleteObjectsKeys else { throw S3Error(.malformedXML) }
        var keys: [String] = []
        keys.reserveCapacity(objects.count)
        for object in objects {
            guard let key = object.childText("Key") else { throw S3Error(.malformedXML) }
            keys.append(key)
        }

        // s3:DeleteObject is decided per key; a refused key gets its own AccessDenied result.
        var refused: [String: S3Error] = [:]
        for key in keys where refused[key] == nil {
            do {
                try authorize(context.subject, action: "s3:DeleteObject", resource: S3ARN.object(bucket, key), bucket: bucket)
            } catch {
                refused[key] = error
            }
        }
        let store = self.store
        let results = try await store.io { [keys, refused] () -> [(key: String, error: S3Error?)] in
            keys.map { key in
                if let error = refused[key] { return (key, error) }
                do {
                    try ObjectKey.validate(key)
                    if let removed = try store.metadata.deleteObject(bucket: bucket, key: key) {
                        store.blobs.remove(removed.blobID)
                    }
                    return (key, nil)
                } catch let error as S3Error {
                    return (key, error)
                } catch {
                    return (key, S3Error(.internalError))
                }
            }
        }

        var xml = XMLWriter()
        xml.declaration()
        xml.open("DeleteResult", namespace: XMLWriter.s3Namespace)
        for result in results {
            if let error = result.error {
                xml.open("Error")
                xml.element("Key", result.key)
                xml.element("Code", error.code.code)
                xml.element("Message", error.message)
                xml.close("Error")
            } else if !quiet {
                xml.open("Deleted")
                xml.element("Key", result.key)
                xml.close("Deleted")
            }
        }
        xml.close("DeleteResult")
        return .xml(xml.text)
    }
}
