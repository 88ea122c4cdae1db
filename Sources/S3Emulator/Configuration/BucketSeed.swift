// The versioning state of a seed is Storage's own type; users of S3Emulator (and EmulatorHarness) get it with the seed.
@_exported public import enum S3EmulatorStorage.BucketVersioning

/// A bucket to create when the emulator starts, with its settings.
///
/// Settings given here replace the bucket's stored ones at every start, so the
/// configuration file stays the truth for them.
public struct BucketSeed: Sendable, Equatable {
    public var name: String
    /// The bucket's region; the emulator's region when nil.
    public var region: String?
    /// Block Public Access for the bucket; new buckets block everything, as on AWS.
    public var publicAccessBlock: PublicAccessBlockSettings?
    /// `BucketOwnerEnforced` (ACLs disabled, the default), `BucketOwnerPreferred` or `ObjectWriter`.
    public var objectOwnership: String?
    /// The bucket policy as JSON text.
    public var policy: String?
    /// CORS rules, in order.
    public var cors: [CORSRuleSeed]?
    /// `Enabled` or `Suspended` versioning; nil leaves the bucket as it is (new buckets are unversioned).
    public var versioning: BucketVersioning?

    public init(
        name: String,
        region: String? = nil,
        publicAccessBlock: PublicAccessBlockSettings? = nil,
        objectOwnership: String? = nil,
        policy: String? = nil,
        cors: [CORSRuleSeed]? = nil,
        versioning: BucketVersioning? = nil
    ) {
        self.name = name
        self.region = region
        self.publicAccessBlock = publicAccessBlock
        self.objectOwnership = objectOwnership
        self.policy = policy
        self.cors = cors
        self.versioning = versioning
    }
}

/// The four Block Public Access settings, as S3's `PublicAccessBlockConfiguration`.
public struct PublicAccessBlockSettings: Sendable, Equatable {
    public var blockPublicAcls: Bool
    public var ignorePublicAcls: Bool
    public var blockPublicPolicy: Bool
    public var restrictPublicBuckets: Bool

    public init(blockPublicAcls: Bool, ignorePublicAcls: Bool, blockPublicPolicy: Bool, restrictPublicBuckets: Bool) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    /// Everything blocked: what AWS gives new buckets.
    public static let allBlocked = PublicAccessBlockSettings(
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true
    )
    /// Nothing blocked.
    public static let noneBlocked = PublicAccessBlockSettings(
        blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false
    )
}

/// One CORS rule, in the console's JSON form (`AllowedOrigins`, `AllowedMethods`, …).
public struct CORSRuleSeed: Sendable, Equatable {
    public var id: String?
    public var allowedOrigins: [String]
    public var allowedMethods: [String]
    public var allowedHeaders: [String]
    public var exposeHeaders: [String]
    public var maxAgeSeconds: Int?

    public init(
        id: String? = nil,
        allowedOrigins: [String],
        allowedMethods: [String],
        allowedHeaders: [String] = [],
        exposeHeaders: [String] = [],
        maxAgeSeconds: Int? = nil
    ) {
        self.id = id
        self.allowedOrigins = allowedOrigins
        self.allowedMethods = allowedMethods
        self.allowedHeaders = allowedHeaders
        self.exposeHeaders = exposeHeaders
        self.maxAgeSeconds = maxAgeSeconds
    }
}
