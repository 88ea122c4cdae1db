import NIOCore
import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage

/// Get/PutBucketAcl, Get/PutObjectAcl, and the `x-amz-acl` header of writes.
///
/// s3emu stores canned ACLs. Under `BucketOwnerEnforced` (the default for new buckets) ACLs
/// are disabled: only ACLs that grant the bucket owner alone (`bucket-owner-full-control`,
/// `private`) are accepted, anything else is AccessControlListNotSupported, as on AWS.
extension S3Emulator {
    /// The canned ACL a write asks for (`x-amz-acl`), checked against Object Ownership and
    /// Block Public Access; nil when the request sets none.
    func requestedCannedACL(_ headers: S3Headers, bucket: String) throws(S3Error) -> String? {
        let settings = bucketSettings(bucket)
        let hasGrantHeaders = headers.fields.contains { $0.name.hasPrefix("x-amz-grant-") }
        guard let acl = headers["x-amz-acl"] else {
            if hasGrantHeaders {
                guard settings.aclsEnabled else { throw S3Error(.accessControlListNotSupported) }
                throw S3Error(.notImplemented, message: "s3emu supports canned ACLs (x-amz-acl), not x-amz-grant-* headers")
            }
            return nil
        }
        guard CannedACL.all.contains(acl) else {
            throw S3Error(.invalidArgument, details: [("ArgumentName", "x-amz-acl"), ("ArgumentValue", acl)])
        }
        guard settings.aclsEnabled else {
            // With ACLs disabled, S3 still accepts an ACL that grants only what the bucket owner has
            // anyway: bucket-owner-full-control, or private from the owner's own (the only) account.
            if acl == "bucket-owner-full-control" || acl == "private" { return nil }
            throw S3Error(.accessControlListNotSupported)
        }
        if CannedACL.publicACLs.contains(acl), effectivePublicAccessBlock(settings).blockPublicAcls {
            throw S3Error(.accessDenied, headers: [("x-s3emu-authz", "public access blocked: BlockPublicAcls is on and the ACL \(acl) is public")])
        }
        return acl
    }

    func getBucketAcl(_ context: RequestContext) throws -> S3Response {
        _ = try existingBucket(context.bucket)
        return .xml(accessControlPolicy(cannedACL: bucketSettings(context.bucket).cannedACL))
    }

    func putBucketAcl(_ context: RequestContext) async throws -> S3Response {
        _ = try existingBucket(context.bucket)
        let acl = try await requestedACL(context)
        try await setBucketConfiguration(context.bucket, name: BucketSettings.Name.acl, value: acl == "private" ? nil : acl)
        return S3Response(status: 200)
    }

    func getObjectAcl(_ context: RequestContext) throws -> S3Response {
        let record = try existingObject(bucket: context.bucket, key: context.key)
        return .xml(accessControlPolicy(cannedACL: record.metadata.acl))
    }

    func putObjectAcl(_ context: RequestContext) async throws -> S3Response {
        var record = try existingObject(bucket: context.bucket, key: context.key)
        let acl = try await requestedACL(context)
        record.metadata.acl = acl == "private" ? nil : acl
        let updated = record
        try await store.io { [store] in
            try store.commit(updated, precondition: .ifMatch(updated.etag))
        }
        return S3Response(status: 200)
    }

    /// The ACL of a Put…Acl request: the `x-amz-acl` header or an AccessControlPolicy body
    /// that amounts to a canned ACL.
    private func requestedACL(_ context: RequestContext) async throws -> String {
        let settings = bucketSettings(context.bucket)
        if let acl = try requestedCannedACL(context.headers, bucket: context.bucket) {
            return acl
        }
        if context.headers["x-amz-acl"] != nil { return "private" }
        let body = try await collectBody(context, limit: 64 * 1024)
        guard body.readableBytes > 0 else { throw S3Error(.missingSecurityHeader, details: [("MissingHeaderName", "x-amz-acl")]) }
        guard settings.aclsEnabled else { throw S3Error(.accessControlListNotSupported) }
        let root = try XMLParser.parse(body.readableBytesView)
        guard root.name == "AccessControlPolicy", let list = root.child("AccessControlList") else { throw S3Error(.malformedACLError) }
        var publicRead = false, publicWrite = false, authenticatedRead = false
        for grant in list.children(named: "Grant") {
            guard let grantee = grant.child("Grantee"), let permission = grant.childText("Permission") else {
                throw S3Error(.malformedACLError)
            }
            let uri = grantee.childText("URI") ?? ""
            if uri.hasSuffix("/global/AllUsers") {
                if permission == "READ" { publicRead = true } else if permission == "WRITE" { publicWrite = true } else {
                    throw S3Error(.notImplemented, message: "s3emu stores canned ACLs; this grant has no canned equivalent")
                }
            } else if uri.hasSuffix("/global/AuthenticatedUsers"), permission == "READ" {
                authenticatedRead = true
            } else if grantee.childText("ID") != owner.canonicalID || permission != "FULL_CONTROL" {
                throw S3Error(.notImplemented, message: "s3emu stores canned ACLs; this grant has no canned equivalent")
            }
        }
        let acl = publicWrite ? "public-read-write" : publicRead ? "public-read" : authenticatedRead ? "authenticated-read" : "private"
        if CannedACL.publicACLs.contains(acl), effectivePublicAccessBlock(settings).blockPublicAcls {
            throw S3Error(.accessDenied)
        }
        return acl
    }

    /// The AccessControlPolicy document of a canned ACL: the owner's FULL_CONTROL plus the public grants.
    private func accessControlPolicy(cannedACL: String?) -> String {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("AccessControlPolicy", namespace: XMLWriter.s3Namespace)
        xml.open("Owner")
        xml.element("ID", owner.canonicalID)
        xml.close("Owner")
        xml.open("AccessControlList")
        func grant(canonicalID: String? = nil, groupURI: String? = nil, _ permission: String) {
            xml.open("Grant")
            xml.open("Grantee", attributes: [
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ("xsi:type", canonicalID != nil ? "CanonicalUser" : "Group"),
            ])
            if let canonicalID { xml.element("ID", canonicalID) }
            if let groupURI { xml.element("URI", groupURI) }
            xml.close("Grantee")
            xml.element("Permission", permission)
            xml.close("Grant")
        }
        grant(canonicalID: owner.canonicalID, "FULL_CONTROL")
        let allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
        switch cannedACL {
        case "public-read": grant(groupURI: allUsers, "READ")
        case "public-read-write": grant(groupURI: allUsers, "READ"); grant(groupURI: allUsers, "WRITE")
        case "authenticated-read": grant(groupURI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ")
        default: break
        }
        xml.close("AccessControlList")
        xml.close("AccessControlPolicy")
        return xml.text
    }
}
