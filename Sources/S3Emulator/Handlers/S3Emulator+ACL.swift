import NIOCore
import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage

/// Get/PutBucketAcl, Get/PutObjectAcl, and the ACL headers of writes (`x-amz-acl`,
/// `x-amz-grant-*`).
///
/// Under `BucketOwnerEnforced` (the default for new buckets) ACLs are disabled: only ACLs that
/// grant the bucket owner alone (`bucket-owner-full-control`, `private`, or grants to the owner)
/// are accepted, anything else is AccessControlListNotSupported, as on AWS.
extension S3Emulator {
    /// The ACL a write asks for in its headers, checked against Object Ownership and Block
    /// Public Access; nil when the request sets none, or sets one that grants only the owner on
    /// a bucket with ACLs disabled.
    func requestedACL(_ headers: S3Headers, bucket: String) throws(S3Error) -> AccessControlList? {
        let settings = bucketSettings(bucket)
        let granted = try AccessControlList.fromGrantHeaders(headers, ownerID: owner.canonicalID)
        let acl: AccessControlList
        if let canned = headers["x-amz-acl"] {
            guard granted == nil else {
                throw S3Error(.invalidRequest, message: "Specifying both Canned ACLs and Header Grants is not allowed")
            }
            guard let cannedACL = AccessControlList(canned: canned) else {
                throw S3Error(.invalidArgument, details: [("ArgumentName", "x-amz-acl"), ("ArgumentValue", canned)])
            }
            acl = cannedACL
        } else if let granted {
            acl = granted
        } else {
            return nil
        }
        return try checkedACL(acl, settings: settings)
    }

    /// Refuses an ACL the bucket's settings do not allow; nil for one that grants only the owner
    /// where ACLs are disabled (S3 accepts and ignores it).
    private func checkedACL(_ acl: AccessControlList, settings: BucketSettings) throws(S3Error) -> AccessControlList? {
        guard settings.aclsEnabled else {
            if acl.grants.isEmpty { return nil }
            throw S3Error(.accessControlListNotSupported)
        }
        if acl.isPublic, effectivePublicAccessBlock(settings).blockPublicAcls {
            throw S3Error(.accessDenied, headers: [("x-s3emu-authz", "public access blocked: BlockPublicAcls is on and the ACL grants to a public group")])
        }
        return acl
    }

    /// True when a request sets an ACL in its headers, so it also needs s3:PutObjectAcl.
    static func setsACL(_ headers: S3Headers) -> Bool {
        headers.contains("x-amz-acl") || headers.fields.contains { $0.name.hasPrefix("x-amz-grant-") }
    }

    func getBucketAcl(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        return .xml(bucketSettings(context.bucket).acl.xml(ownerID: owner.canonicalID))
    }

    func putBucketAcl(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        let acl = try await aclOfPutACLRequest(context)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.acl, value: acl?.stored)
        return S3Response(status: 200)
    }

    func getObjectAcl(_ context: RequestContext) throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let record = try existingObject(bucket: context.bucket, key: context.key, version: version, method: context.request.method)
        var headers = S3Headers()
        if let versionID = versionIDHeader(record) { headers.append("x-amz-version-id", versionID) }
        return .xml(AccessControlList(stored: record.metadata.acl).xml(ownerID: owner.canonicalID), headers: headers)
    }

    func putObjectAcl(_ context: RequestContext) async throws -> S3Response {
        let version = try Self.versionReference(context.query)
        let record = try existingObject(bucket: context.bucket, key: context.key, version: version, method: context.request.method)
        let acl = try await aclOfPutACLRequest(context)
        try await updateObjectMetadata(record) { $0.acl = acl?.stored }
        var headers = S3Headers()
        if let versionID = versionIDHeader(record) { headers.append("x-amz-version-id", versionID) }
        return S3Response(status: 200, headers: headers)
    }

    /// The ACL of a Put…Acl request: its headers, or else its AccessControlPolicy body.
    private func aclOfPutACLRequest(_ context: RequestContext) async throws -> AccessControlList? {
        if Self.setsACL(context.headers) {
            return try requestedACL(context.headers, bucket: context.bucket)
        }
        let body = try await collectBody(context, limit: 64 * 1024)
        guard body.readableBytes > 0 else {
            throw S3Error(.missingSecurityHeader, details: [("MissingHeaderName", "x-amz-acl")])
        }
        let acl = try AccessControlList.fromXML(try XMLParser.parse(body.readableBytesView), ownerID: owner.canonicalID)
        return try checkedACL(acl, settings: bucketSettings(context.bucket))
    }
}
