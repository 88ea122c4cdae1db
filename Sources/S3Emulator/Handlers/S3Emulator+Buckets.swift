import Foundation
import NIOCore
import S3EmulatorCore
import S3EmulatorStorage

/// ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation.
extension S3Emulator {
    func listBuckets(_ context: RequestContext) throws -> S3Response {
        let prefix = context.query["prefix"] ?? ""
        var buckets = try store.metadata.buckets().filter { $0.name.hasPrefix(prefix) }
        if let region = context.query["bucket-region"] {
            buckets = buckets.filter { $0.region == region }
        }
        var maxBuckets = buckets.count
        if let value = context.query["max-buckets"] {
            guard let parsed = Int(value), (1...10000).contains(parsed) else {
                throw S3Error(.invalidArgument, message: "Argument max-buckets must be an integer between 1 and 10000.",
                              details: [("ArgumentName", "max-buckets"), ("ArgumentValue", value)])
            }
            maxBuckets = parsed
        }
        if let token = context.query["continuation-token"] {
            guard let after = ContinuationToken.decode(token) else {
                throw S3Error(.invalidArgument, message: "The continuation token provided is incorrect",
                              details: [("ArgumentName", "continuation-token")])
            }
            buckets = buckets.filter { $0.name > after }
        }
        let page = buckets.prefix(maxBuckets)
        var xml = XMLWriter()
        xml.declaration()
        xml.open("ListAllMyBucketsResult", namespace: XMLWriter.s3Namespace)
        xml.open("Buckets")
        for bucket in page {
            xml.open("Bucket")
            xml.element("Name", bucket.name)
            xml.element("CreationDate", AmazonDate.formatISO8601(bucket.creationDate))
            xml.element("BucketRegion", bucket.region)
            xml.close("Bucket")
        }
        xml.close("Buckets")
        xml.open("Owner")
        xml.element("ID", owner.canonicalID)
        xml.close("Owner")
        if page.count < buckets.count, let last = page.last {
            xml.element("ContinuationToken", ContinuationToken.encode(last.name))
        }
        if !prefix.isEmpty { xml.element("Prefix", prefix) }
        xml.close("ListAllMyBucketsResult")
        return .xml(xml.text)
    }

    func createBucket(_ context: RequestContext) async throws -> S3Response {
        let name = context.bucket
        try BucketName.validate(name)
        let body = try await collectBody(context, limit: 64 * 1024)
        let constraint = try Self.locationConstraint(body.readableBytesView)
        let region: String
        if let constraint {
            region = try checkLocationConstraint(constraint)
        } else if configuration.region == "us-east-1" {
            region = "us-east-1"
        } else {
            // A regional endpoint needs the bucket's region spelled out.
            throw S3Error(
                .illegalLocationConstraintException,
                message: "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
            )
        }
        let ownership = context.headers["x-amz-object-ownership"]
        if let ownership, !ObjectOwnership.all.contains(ownership) {
            throw S3Error(.invalidArgument, message: "Invalid x-amz-object-ownership header: \(ownership)",
                          details: [("ArgumentName", "x-amz-object-ownership"), ("ArgumentValue", ownership)])
        }
        var acl: AccessControlList?
        if Self.setsACL(context.headers) {
            guard let cannedOrGranted = try AccessControlList.fromGrantHeaders(context.headers, ownerID: owner.canonicalID)
                ?? context.headers["x-amz-acl"].flatMap(AccessControlList.init(canned:))
            else {
                throw S3Error(.invalidArgument, details: [("ArgumentName", "x-amz-acl"), ("ArgumentValue", context.headers["x-amz-acl"] ?? "")])
            }
            if !cannedOrGranted.grants.isEmpty, ownership == nil || ownership == ObjectOwnership.bucketOwnerEnforced {
                throw S3Error(.invalidBucketAclWithObjectOwnership)
            }
            acl = cannedOrGranted.grants.isEmpty ? nil : cannedOrGranted
        }
        let record = BucketRecord(name: name, creationDate: configuration.clock.now(), region: region)
        let created = try await store.io { [self] in
            guard try store.metadata.createBucket(record) else { return false }
            try applyNewBucketDefaults(name, objectOwnership: ownership)
            return true
        }
        bucketSettingsCache.invalidate(name)
        if created, let acl {
            // A new bucket blocks public ACLs, as on AWS: a public ACL is refused after creation.
            guard !acl.isPublic else { throw S3Error(.accessDenied) }
            try await setBucketConfiguration(name, name: BucketSettings.Name.acl, value: acl.stored)
        }
        if !created {
            // For legacy compatibility, us-east-1 answers 200 to re-creating a bucket you own.
            if configuration.region != "us-east-1" {
                throw S3Error(.bucketAlreadyOwnedByYou, details: [("BucketName", name)])
            }
        }
        var headers = S3Headers()
        headers.append("location", "/" + name)
        return S3Response(status: 200, headers: headers)
    }

    /// The `<LocationConstraint>` of a CreateBucket body (`<CreateBucketConfiguration>`); nil for
    /// an empty body or an empty constraint. MalformedXML for another root.
    static func locationConstraint(_ bytes: some Collection<UInt8>) throws(S3Error) -> String? {
        guard !bytes.isEmpty else { return nil }
        let root = try XMLParser.parse(bytes)
        guard root.name == "CreateBucketConfiguration" else { throw S3Error(.malformedXML) }
        return root.childText("LocationConstraint").flatMap { $0.isEmpty ? nil : $0 }
    }

    private func checkLocationConstraint(_ constraint: String) throws(S3Error) -> String {
        if constraint == configuration.region, constraint != "us-east-1" {
            return constraint
        }
        if constraint == "us-east-1" || !Self.knownRegions.contains(constraint) {
            throw S3Error(.invalidLocationConstraint, details: [("LocationConstraint", constraint)])
        }
        throw S3Error(
            .illegalLocationConstraintException,
            message: "The \(constraint) location constraint is incompatible for the region specific endpoint this request was sent to."
        )
    }

    static let knownRegions: Set<String> = [
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
        "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "EU", "eu-central-1",
        "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
        "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
    ]

    func headBucket(_ context: RequestContext) throws -> S3Response {
        let bucket = try existingBucket(context.bucket)
        var headers = S3Headers()
        headers.append("x-amz-bucket-region", bucket.region)
        headers.append("x-amz-access-point-alias", "false")
        return S3Response(status: 200, headers: headers)
    }

    func deleteBucket(_ context: RequestContext) async throws -> S3Response {
        let name = context.bucket
        let result = try await store.io { [store] in
            // Open multipart uploads go with the bucket; their part blobs are freed now.
            let (result, discarded) = try store.metadata.deleteBucketDiscardingUploads(named: name)
            for blobID in discarded { store.blobs.remove(blobID) }
            return result
        }
        bucketSettingsCache.invalidate(name)
        switch result {
        case .deleted: return S3Response(status: 204)
        case .notEmpty: throw S3Error(.bucketNotEmpty, details: [("BucketName", name)])
        case .noSuchBucket: throw S3Error(.noSuchBucket, details: [("BucketName", name)])
        }
    }

    func getBucketLocation(_ context: RequestContext) throws -> S3Response {
        let bucket = try existingBucket(context.bucket)
        var xml = XMLWriter()
        xml.declaration()
        xml.open("LocationConstraint", namespace: XMLWriter.s3Namespace)
        if bucket.region != "us-east-1" {
            // us-east-1 answers an empty LocationConstraint.
            xml.characters(bucket.region)
        }
        xml.close("LocationConstraint")
        return .xml(xml.text)
    }

    /// The bucket's record, or NoSuchBucket.
    func existingBucket(_ name: String) throws -> BucketRecord {
        guard let bucket = try store.metadata.bucket(named: name) else {
            throw S3Error(.noSuchBucket, details: [("BucketName", name)])
        }
        return bucket
    }
}

/// Opaque continuation tokens: the last key (or bucket name) of a page, base64-encoded.
enum ContinuationToken {
    static func encode(_ marker: String) -> String {
        Base64.encode(Array(marker.utf8))
    }

    static func decode(_ token: String) -> String? {
        guard let bytes = Base64.decode(token) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
