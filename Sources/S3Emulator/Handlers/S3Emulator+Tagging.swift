import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// Put/Get/DeleteObjectTagging.
extension S3Emulator {
    func getObjectTagging(_ context: RequestContext) throws -> S3Response {
        let record = try existingObject(bucket: context.bucket, key: context.key)
        var xml = XMLWriter()
        xml.declaration()
        xml.open("Tagging", namespace: XMLWriter.s3Namespace)
        xml.open("TagSet")
        for key in record.metadata.tags.keys.sorted() {
            xml.open("Tag")
            xml.element("Key", key)
            xml.element("Value", record.metadata.tags[key] ?? "")
            xml.close("Tag")
        }
        xml.close("TagSet")
        xml.close("Tagging")
        return .xml(xml.text)
    }

    func putObjectTagging(_ context: RequestContext) async throws -> S3Response {
        _ = try existingObject(bucket: context.bucket, key: context.key)
        let body = try await collectBody(context, limit: 64 * 1024)
        let tags = try ObjectTagSet.parse(xml: try XMLParser.parse(body.readableBytesView))
        try await updateTags(context, tags)
        return S3Response(status: 200)
    }

    func deleteObjectTagging(_ context: RequestContext) async throws -> S3Response {
        _ = try existingObject(bucket: context.bucket, key: context.key)
        try await updateTags(context, [:])
        return S3Response(status: 204)
    }

    /// Replaces the tags of the current object, keeping its blob; retried if the object changed meanwhile.
    private func updateTags(_ context: RequestContext, _ tags: [String: String]) async throws {
        let (bucket, key) = (context.bucket, context.key)
        try await store.io { [store] in
            for _ in 0..<3 {
                guard var record = try store.metadata.object(bucket: bucket, key: key) else {
                    throw S3Error(.noSuchKey, details: [("Key", key)])
                }
                record.metadata.tags = tags
                if case .stored = try store.metadata.putObject(record, precondition: .ifMatch(record.etag)) {
                    return
                }
            }
            throw S3Error(.conditionalRequestConflict)
        }
    }
}
