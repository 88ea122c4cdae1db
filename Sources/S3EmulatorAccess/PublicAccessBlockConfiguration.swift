/// The four S3 Block Public Access settings of a bucket or an account.
///
/// S3 applies the most restrictive combination of the bucket's and the account's settings:
/// ``effective(bucket:account:)``.
public struct PublicAccessBlockConfiguration: Sendable, Hashable {
    /// Refuse PutBucketAcl, PutObjectAcl, PutObject and CreateBucket requests carrying a public ACL.
    public var blockPublicAcls: Bool
    /// Ignore grants of public ACLs when authorizing.
    public var ignorePublicAcls: Bool
    /// Refuse PutBucketPolicy with a public policy.
    public var blockPublicPolicy: Bool
    /// While the bucket policy is public, let its grants serve only the bucket owner's account
    /// (and AWS services).
    public var restrictPublicBuckets: Bool

    public init(
        blockPublicAcls: Bool = false, ignorePublicAcls: Bool = false, blockPublicPolicy: Bool = false,
        restrictPublicBuckets: Bool = false
    ) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    /// All four settings on: what AWS gives a new bucket.
    public static let allBlocked = PublicAccessBlockConfiguration(
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)

    /// All four settings off.
    public static let noneBlocked = PublicAccessBlockConfiguration()

    /// The settings in force: each one on when it is on for the bucket or for the account.
    public static func effective(
        bucket: PublicAccessBlockConfiguration?, account: PublicAccessBlockConfiguration?
    ) -> PublicAccessBlockConfiguration {
        let bucket = bucket ?? .noneBlocked
        let account = account ?? .noneBlocked
        return PublicAccessBlockConfiguration(
            blockPublicAcls: bucket.blockPublicAcls || account.blockPublicAcls,
            ignorePublicAcls: bucket.ignorePublicAcls || account.ignorePublicAcls,
            blockPublicPolicy: bucket.blockPublicPolicy || account.blockPublicPolicy,
            restrictPublicBuckets: bucket.restrictPublicBuckets || account.restrictPublicBuckets)
    }
}
