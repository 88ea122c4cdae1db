import NIOCore
import S3EmulatorAccess
import S3EmulatorCore

/// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus.
extension S3Emulator {
    /// The largest bucket policy S3 stores: 20 KB.
    static let maxBucketPolicySize = 20 * 1024

    func putBucketPolicy(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        let body = try await collectBody(context, limit: Self.maxBucketPolicySize)
        guard body.readableBytes > 0 else { throw S3Error(.malformedPolicy, message: "Policies must be valid JSON and the first byte must be '{'") }
        let text = String(buffer: body)
        let identities = self.identities
        let document = try PolicyDocument(
            parsing: text, kind: .bucketPolicy(bucket: bucket), principalExists: { identities.principalExists($0) }
        )
        let request = AuthorizationRequest(
            principal: context.subject.identity.principal, action: "s3:PutBucketPolicy", resource: S3ARN.bucket(bucket),
            bucketOwnerAccount: configuration.accountID, conditionKeys: context.subject.conditionKeys
        )
        if let denial = evaluator.blockPublicPolicyDenial(
            for: document, request: request, publicAccessBlock: effectivePublicAccessBlock(bucketSettings(bucket))
        ) {
            var error = denial.accessDenied
            error.headers.append(("x-s3emu-authz", Self.headerSafe(denial.shortTrace)))
            throw error
        }
        try await setBucketConfiguration(bucket, name: BucketSettings.Name.policy, value: text)
        return S3Response(status: 204)
    }

    func getBucketPolicy(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        guard let policy = bucketSettings(bucket).policy else {
            throw S3Error(.noSuchBucketPolicy, details: [("BucketName", bucket)])
        }
        var headers = S3Headers()
        headers.append("content-type", "application/json")
        return S3Response(status: 200, headers: headers, body: .buffer(ByteBuffer(string: policy.text)))
    }

    func deleteBucketPolicy(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.policy, value: nil)
        return S3Response(status: 204)
    }

    func getBucketPolicyStatus(_ context: RequestContext) throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        guard let policy = bucketSettings(bucket).policy else {
            throw S3Error(.noSuchBucketPolicy, details: [("BucketName", bucket)])
        }
        var xml = XMLWriter()
        xml.declaration()
        xml.open("PolicyStatus", namespace: XMLWriter.s3Namespace)
        xml.element("IsPublic", policy.isPublic ? "true" : "false")
        xml.close("PolicyStatus")
        return .xml(xml.text)
    }
}
