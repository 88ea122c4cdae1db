import NIOCore
import S3EmulatorAccess
import S3EmulatorCore

/// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus.
extension S3Emulator {
    /// The largest bucket policy S3 stores: 20 KB, not counting whitespace between JSON tokens.
    static let maxBucketPolicySize = 20 * 1024
    /// The most bytes of a PutBucketPolicy body read to measure it, whitespace included.
    static let maxBucketPolicyBodySize = 1 << 20

    func putBucketPolicy(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        let body: ByteBuffer
        do {
            body = try await collectBody(context, limit: Self.maxBucketPolicyBodySize)
        } catch let error as S3Error where error.code == .maxMessageLengthExceeded {
            throw S3Error(.policyTooLarge)
        }
        guard Self.significantPolicySize(body) <= Self.maxBucketPolicySize else { throw S3Error(.policyTooLarge) }
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
            error.headers.append(("x-s3emu-authz", denial.shortTrace))
            throw error
        }
        try await setBucketConfiguration(bucket, name: BucketSettings.Name.policy, value: text)
        return S3Response(status: 204)
    }

    /// The size of a policy document without the whitespace between its JSON tokens (S3 measures
    /// a policy that way: a pretty-printed policy is not penalized for its indentation).
    static func significantPolicySize(_ body: ByteBuffer) -> Int {
        var size = 0
        var inString = false
        var escaped = false
        for byte in body.readableBytesView {
            if inString {
                size += 1
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\""):
                inString = true
                size += 1
            default:
                size += 1
            }
        }
        return size
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
