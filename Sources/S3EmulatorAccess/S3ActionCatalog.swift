/// The actions the `s3` service defines, as the Service Authorization Reference lists them
/// ("Actions, resources, and condition keys for Amazon S3"), with the resource types of a
/// general purpose bucket each one applies to.
///
/// A bucket policy naming an action missing here is refused ("Policy has invalid action"), and
/// one whose actions apply to none of its resources is refused too ("Action does not apply to
/// any resource(s) in statement").
enum S3ActionCatalog {
    /// The resource types of a general purpose bucket an action applies to.
    struct ResourceKinds: OptionSet, Sendable, Hashable {
        let rawValue: UInt8
        /// `arn:aws:s3:::bucket`
        static let bucket = ResourceKinds(rawValue: 1)
        /// `arn:aws:s3:::bucket/key`
        static let object = ResourceKinds(rawValue: 2)
        /// Neither: an account-level action (`Resource: "*"`) or one on access points, jobs,
        /// Storage Lens or Access Grants.
        static let none: ResourceKinds = []
    }

    /// One action: its name as the reference spells it (`GetObject`), lowercased for lookup.
    struct Action: Sendable, Hashable {
        let name: String
        let lowercasedName: String
        let kinds: ResourceKinds
    }

    static let objectActions = [
        "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject", "DeleteObjectTagging",
        "DeleteObjectVersion", "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAttributes",
        "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion",
        "GetObjectVersionAcl", "GetObjectVersionAttributes", "GetObjectVersionForReplication",
        "GetObjectVersionTagging", "GetObjectVersionTorrent", "InitiateReplication", "ListMultipartUploadParts",
        "ObjectOwnerOverrideToBucketOwner", "PutObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
        "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging", "ReplicateDelete", "ReplicateObject",
        "ReplicateTags", "RestoreObject",
    ]

    static let bucketActions = [
        "CreateBucket", "CreateBucketMetadataConfiguration", "CreateBucketMetadataTableConfiguration", "DeleteBucket",
        "DeleteBucketMetadataConfiguration", "DeleteBucketMetadataTableConfiguration", "DeleteBucketOwnershipControls",
        "DeleteBucketPolicy", "DeleteBucketWebsite", "GetAccelerateConfiguration", "GetAnalyticsConfiguration",
        "GetBucketAbac", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
        "GetBucketMetadataConfiguration", "GetBucketMetadataTableConfiguration", "GetBucketNotification",
        "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus",
        "GetBucketPublicAccessBlock", "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning",
        "GetBucketWebsite", "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration",
        "GetInventoryConfiguration", "GetLifecycleConfiguration", "GetMetricsConfiguration",
        "GetReplicationConfiguration", "ListBucket", "ListBucketMultipartUploads", "ListBucketVersions",
        "PutAccelerateConfiguration", "PutAnalyticsConfiguration", "PutBucketAbac", "PutBucketAcl", "PutBucketCORS",
        "PutBucketLogging", "PutBucketNotification", "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls",
        "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging",
        "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration",
        "PutInventoryConfiguration", "PutLifecycleConfiguration", "PutMetricsConfiguration",
        "PutReplicationConfiguration", "UpdateBucketMetadataInventoryTableConfiguration",
        "UpdateBucketMetadataJournalTableConfiguration",
    ]

    /// Actions that take `bucket` as well as resource types of other kinds.
    static let taggingActions = ["ListTagsForResource", "TagResource", "UntagResource"]

    /// Account-level actions and actions on access points, jobs, Storage Lens, Multi-Region
    /// Access Points and Access Grants: valid names, but never on a bucket or object ARN.
    static let otherActions = [
        "AssociateAccessGrantsIdentityCenter", "CreateAccessGrant", "CreateAccessGrantsInstance",
        "CreateAccessGrantsLocation", "CreateAccessPoint", "CreateAccessPointForObjectLambda", "CreateJob",
        "CreateMultiRegionAccessPoint", "CreateStorageLensGroup", "DeleteAccessGrant", "DeleteAccessGrantsInstance",
        "DeleteAccessGrantsInstanceResourcePolicy", "DeleteAccessGrantsLocation", "DeleteAccessPoint",
        "DeleteAccessPointForObjectLambda", "DeleteAccessPointPolicy", "DeleteAccessPointPolicyForObjectLambda",
        "DeleteJobTagging", "DeleteMultiRegionAccessPoint", "DeleteStorageLensConfiguration",
        "DeleteStorageLensConfigurationTagging", "DeleteStorageLensGroup", "DescribeJob",
        "DescribeMultiRegionAccessPointOperation", "DissociateAccessGrantsIdentityCenter", "GetAccessGrant",
        "GetAccessGrantsInstance", "GetAccessGrantsInstanceForPrefix", "GetAccessGrantsInstanceResourcePolicy",
        "GetAccessGrantsLocation", "GetAccessPoint", "GetAccessPointConfigurationForObjectLambda",
        "GetAccessPointForObjectLambda", "GetAccessPointPolicy", "GetAccessPointPolicyForObjectLambda",
        "GetAccessPointPolicyStatus", "GetAccessPointPolicyStatusForObjectLambda", "GetAccountPublicAccessBlock",
        "GetDataAccess", "GetJobTagging", "GetMultiRegionAccessPoint", "GetMultiRegionAccessPointPolicy",
        "GetMultiRegionAccessPointPolicyStatus", "GetMultiRegionAccessPointRoutes", "GetStorageLensConfiguration",
        "GetStorageLensConfigurationTagging", "GetStorageLensDashboard", "GetStorageLensGroup", "ListAccessGrants",
        "ListAccessGrantsInstances", "ListAccessGrantsLocations", "ListAccessPoints",
        "ListAccessPointsForObjectLambda", "ListAllMyBuckets", "ListCallerAccessGrants", "ListJobs",
        "ListMultiRegionAccessPoints", "ListStorageLensConfigurations", "ListStorageLensGroups",
        "PutAccessGrantsInstanceResourcePolicy", "PutAccessPointConfigurationForObjectLambda",
        "PutAccessPointPolicy", "PutAccessPointPolicyForObjectLambda", "PutAccessPointPublicAccessBlock",
        "PutAccountPublicAccessBlock", "PutJobTagging", "PutMultiRegionAccessPointPolicy",
        "PutStorageLensConfiguration", "PutStorageLensConfigurationTagging", "SubmitMultiRegionAccessPointRoutes",
        "UpdateAccessGrantsLocation", "UpdateJobPriority", "UpdateJobStatus", "UpdateStorageLensGroup",
    ]

    /// Every action, in one list.
    static let all: [Action] = {
        func make(_ names: [String], _ kinds: ResourceKinds) -> [Action] {
            names.map { Action(name: $0, lowercasedName: $0.lowercased(), kinds: kinds) }
        }
        return make(objectActions, .object) + make(bucketActions, .bucket) + make(taggingActions, .bucket)
            + make(otherActions, .none)
    }()

    private static let byLowercasedName: [String: Action] = Dictionary(
        all.map { ($0.lowercasedName, $0) }, uniquingKeysWith: { first, _ in first })

    /// The action named `name` (without the `s3:` prefix), in any case.
    static func action(named name: String) -> Action? {
        byLowercasedName[name.lowercased()]
    }

    /// The action of a full name such as `s3:GetObject`, in any case.
    static func action(fullName: String) -> Action? {
        let lowered = fullName.lowercased()
        guard lowered.hasPrefix("s3:") else { return nil }
        return byLowercasedName[String(lowered.dropFirst(3))]
    }

    /// The actions a pattern (after `s3:`, lowercased) names.
    static func actions(matching pattern: WildcardPattern) -> [Action] {
        if pattern.matchesEverything { return all }
        return all.filter { pattern.matches($0.lowercasedName) }
    }
}
