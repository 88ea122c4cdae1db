import NIOCore
import S3EmulatorAccess
import S3EmulatorCore

/// Put/Get/DeletePublicAccessBlock (bucket level) and Put/Get/DeleteBucketOwnershipControls.
extension S3Emulator {
    func putPublicAccessBlock(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        let body = try await collectBody(context, limit: 64 * 1024)
        let root = try XMLParser.parse(body.readableBytesView)
        guard root.name == "PublicAccessBlockConfiguration" else { throw S3Error(.malformedXML) }
        func flag(_ name: String) throws(S3Error) -> Bool {
            guard let value = root.childText(name) else { return false }
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: throw S3Error(.malformedXML)
            }
        }
        let settings = PublicAccessBlockSettings(
            blockPublicAcls: try flag("BlockPublicAcls"), ignorePublicAcls: try flag("IgnorePublicAcls"),
            blockPublicPolicy: try flag("BlockPublicPolicy"), restrictPublicBuckets: try flag("RestrictPublicBuckets")
        )
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.publicAccessBlock, value: settings.stored)
        return S3Response(status: 200)
    }

    func getPublicAccessBlock(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        guard let settings = bucketSettings(context.bucket).publicAccessBlock else {
            throw S3Error(.noSuchPublicAccessBlockConfiguration, details: [("BucketName", context.bucket)])
        }
        var xml = XMLWriter()
        xml.declaration()
        xml.open("PublicAccessBlockConfiguration", namespace: XMLWriter.s3Namespace)
        xml.element("BlockPublicAcls", String(settings.blockPublicAcls))
        xml.element("IgnorePublicAcls", String(settings.ignorePublicAcls))
        xml.element("BlockPublicPolicy", String(settings.blockPublicPolicy))
        xml.element("RestrictPublicBuckets", String(settings.restrictPublicBuckets))
        xml.close("PublicAccessBlockConfiguration")
        return .xml(xml.text)
    }

    func deletePublicAccessBlock(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.publicAccessBlock, value: nil)
        return S3Response(status: 204)
    }

    func putBucketOwnershipControls(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        let body = try await collectBody(context, limit: 64 * 1024)
        let root = try XMLParser.parse(body.readableBytesView)
        let rules = root.children(named: "Rule")
        guard root.name == "OwnershipControls", rules.count == 1,
              let ownership = rules[0].childText("ObjectOwnership"), ObjectOwnership.all.contains(ownership)
        else {
            throw S3Error(.malformedXML)
        }
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.ownershipControls, value: ownership)
        return S3Response(status: 200)
    }

    func getBucketOwnershipControls(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        guard let ownership = bucketSettings(context.bucket).objectOwnership else {
            throw S3Error(.ownershipControlsNotFoundError, details: [("BucketName", context.bucket)])
        }
        var xml = XMLWriter()
        xml.declaration()
        xml.open("OwnershipControls", namespace: XMLWriter.s3Namespace)
        xml.open("Rule")
        xml.element("ObjectOwnership", ownership)
        xml.close("Rule")
        xml.close("OwnershipControls")
        return .xml(xml.text)
    }

    func deleteBucketOwnershipControls(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.ownershipControls, value: nil)
        return S3Response(status: 204)
    }
}
