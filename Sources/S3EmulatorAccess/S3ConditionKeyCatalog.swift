/// The condition keys the `s3` service defines (Service Authorization Reference, "Condition keys
/// for Amazon S3"). A bucket policy using an `s3:` key missing here is refused with "Policy has an
/// invalid condition key"; `aws:` keys are global and always accepted, as S3 accepts them.
enum S3ConditionKeyCatalog {
    /// Keys, lowercased, without the `s3:` prefix.
    static let keys: Set<String> = [
        "accessgrantsinstancearn", "accesspointnetworkorigin", "authtype", "dataaccesspointaccount",
        "dataaccesspointarn", "delimiter", "existingjoboperation", "existingjobpriority", "if-match", "if-none-match",
        "inventoryaccessibleoptionalfields", "jobsuspendedcause", "locationconstraint", "max-keys",
        "object-lock-legal-hold", "object-lock-mode", "object-lock-remaining-retention-days",
        "object-lock-retain-until-date", "objectcreationoperation", "prefix", "requestjoboperation",
        "requestjobpriority", "requestobjecttagkeys", "resourceaccount", "signatureage", "signatureversion",
        "tlsversion", "versionid", "x-amz-acl", "x-amz-content-sha256", "x-amz-copy-source",
        "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write",
        "x-amz-grant-write-acp", "x-amz-metadata-directive", "x-amz-object-ownership",
        "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-storage-class",
        "x-amz-website-redirect-location",
    ]

    /// Keys that take a tag key after a slash (`s3:ExistingObjectTag/department`).
    static let tagKeyPrefixes = ["existingobjecttag/", "requestobjecttag/"]

    /// Whether `key` (any case) is a condition key a bucket policy may use.
    static func isValidInBucketPolicy(_ key: String) -> Bool {
        let lowered = key.lowercased()
        if lowered.hasPrefix("aws:") { return lowered.count > 4 }
        guard lowered.hasPrefix("s3:") else { return false }
        let name = String(lowered.dropFirst(3))
        if keys.contains(name) { return true }
        return tagKeyPrefixes.contains { name.hasPrefix($0) && name.count > $0.count }
    }

    /// For the keys that only some actions support, the actions (lowercased, without `s3:`)
    /// that support them. A statement none of whose actions supports such a key is refused with
    /// "Conditions do not apply to combination of actions and resources in statement". Keys not
    /// listed here are taken to apply to every action.
    static let actionsSupportingKey: [String: Set<String>] = [
        "s3:prefix": ["listbucket", "listbucketversions"],
        "s3:delimiter": ["listbucket", "listbucketversions"],
        "s3:max-keys": ["listbucket", "listbucketversions"],
        "s3:x-amz-metadata-directive": ["putobject"],
        "s3:x-amz-copy-source": ["putobject"],
    ]
}
