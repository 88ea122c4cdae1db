import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage
import Synchronization

/// A bucket's access settings, compiled from its stored configurations: the bucket policy,
/// Block Public Access, Object Ownership, the canned bucket ACL and the CORS rules.
struct BucketSettings: Sendable {
    /// The configuration names under which the settings are stored.
    enum Name {
        static let policy = "policy"
        static let publicAccessBlock = "publicAccessBlock"
        static let ownershipControls = "ownershipControls"
        static let acl = "acl"
        static let cors = "cors"
    }

    var policy: PolicyDocument?
    var publicAccessBlock: PublicAccessBlockSettings?
    /// nil when the bucket has no ownership controls (ACLs then work as `ObjectWriter`).
    var objectOwnership: String?
    /// The bucket's ACL (private when none was set).
    var acl = AccessControlList(stored: nil)
    /// The CORS rules (stored as their XML document); nil when the bucket has none.
    var cors: CORSConfiguration?
    /// The versioning state; nil when the bucket never had versioning enabled.
    var versioning: BucketVersioning?

    /// ACLs are disabled under `BucketOwnerEnforced`, the default for new buckets.
    var aclsEnabled: Bool { objectOwnership != ObjectOwnership.bucketOwnerEnforced }

    static let none = BucketSettings()

    init(policy: PolicyDocument? = nil, publicAccessBlock: PublicAccessBlockSettings? = nil, objectOwnership: String? = nil) {
        self.policy = policy
        self.publicAccessBlock = publicAccessBlock
        self.objectOwnership = objectOwnership
    }

    /// Compiles stored configurations. A stored policy that no longer compiles is dropped.
    init(bucket: String, configurations: [String: String]) {
        if let text = configurations[Name.policy] {
            policy = try? PolicyDocument(parsing: text, kind: .bucketPolicy(bucket: bucket))
        }
        publicAccessBlock = configurations[Name.publicAccessBlock].flatMap(PublicAccessBlockSettings.init(stored:))
        objectOwnership = configurations[Name.ownershipControls]
        acl = AccessControlList(stored: configurations[Name.acl])
        cors = configurations[Name.cors].flatMap { try? CORSConfiguration(parsing: Array($0.utf8)) }
        versioning = configurations[BucketVersioning.configurationName].flatMap(BucketVersioning.init(rawValue:))
    }
}

/// Object Ownership values.
enum ObjectOwnership {
    static let bucketOwnerEnforced = "BucketOwnerEnforced"
    static let bucketOwnerPreferred = "BucketOwnerPreferred"
    static let objectWriter = "ObjectWriter"
    static let all: Set<String> = [bucketOwnerEnforced, bucketOwnerPreferred, objectWriter]
}

extension PublicAccessBlockSettings {
    /// The stored form: four `true`/`false` words in S3's element order.
    var stored: String {
        [blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets].map { $0 ? "true" : "false" }
            .joined(separator: ",")
    }

    init?(stored: String) {
        let flags = stored.split(separator: ",").map { $0 == "true" }
        guard flags.count == 4 else { return nil }
        self.init(blockPublicAcls: flags[0], ignorePublicAcls: flags[1], blockPublicPolicy: flags[2], restrictPublicBuckets: flags[3])
    }

    var evaluatorConfiguration: PublicAccessBlockConfiguration {
        PublicAccessBlockConfiguration(
            blockPublicAcls: blockPublicAcls, ignorePublicAcls: ignorePublicAcls,
            blockPublicPolicy: blockPublicPolicy, restrictPublicBuckets: restrictPublicBuckets
        )
    }
}

/// Compiled bucket settings by bucket name, loaded on first use and dropped whenever a
/// bucket's configuration changes, so policies are parsed when stored, not per request.
final class BucketSettingsCache: Sendable {
    private let entries = Mutex<[String: BucketSettings]>([:])

    func settings(for bucket: String, load: () throws -> BucketSettings) rethrows -> BucketSettings {
        if let cached = entries.withLock({ $0[bucket] }) {
            return cached
        }
        let loaded = try load()
        entries.withLock { $0[bucket] = loaded }
        return loaded
    }

    func invalidate(_ bucket: String) {
        _ = entries.withLock { $0.removeValue(forKey: bucket) }
    }

    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
