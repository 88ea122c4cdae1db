import S3EmulatorAccess
import S3EmulatorCore
import S3EmulatorStorage
import Synchronization

/// A bucket's access settings, compiled from its stored configurations: the bucket policy,
/// Block Public Access, Object Ownership, the canned bucket ACL and the CORS rules.
///
/// Immutable, and a class: the settings are read from ``BucketSettingsCache`` two or three times
/// per request, and a reference is one count where a struct of six fields was nine.
final class BucketSettings: Sendable {
    /// The configuration names under which the settings are stored.
    enum Name {
        static let policy = "policy"
        static let publicAccessBlock = "publicAccessBlock"
        static let ownershipControls = "ownershipControls"
        static let acl = "acl"
        static let cors = "cors"
    }

    let policy: PolicyDocument?
    let publicAccessBlock: PublicAccessBlockSettings?
    /// nil when the bucket has no ownership controls (ACLs then work as `ObjectWriter`).
    let objectOwnership: String?
    /// The bucket's ACL (private when none was set).
    let acl: AccessControlList
    /// The CORS rules (stored as their XML document); nil when the bucket has none.
    let cors: CORSConfiguration?
    /// The versioning state; nil when the bucket never had versioning enabled.
    let versioning: BucketVersioning?

    /// ACLs are disabled under `BucketOwnerEnforced`, the default for new buckets.
    var aclsEnabled: Bool { objectOwnership != ObjectOwnership.bucketOwnerEnforced }

    static let none = BucketSettings()

    init(policy: PolicyDocument? = nil, publicAccessBlock: PublicAccessBlockSettings? = nil, objectOwnership: String? = nil) {
        self.policy = policy
        self.publicAccessBlock = publicAccessBlock
        self.objectOwnership = objectOwnership
        self.acl = AccessControlList(stored: nil)
        self.cors = nil
        self.versioning = nil
    }

    /// Compiles stored configurations. A stored policy that no longer compiles is dropped.
    init(bucket: String, configurations: [String: String]) {
        policy = configurations[Name.policy].flatMap { try? PolicyDocument(parsing: $0, kind: .bucketPolicy(bucket: bucket)) }
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
///
/// A load that an invalidation overtakes is not kept: otherwise a request that read the old
/// configuration just before a PutBucketPolicy committed could store it after the policy's
/// invalidation, and every later request would see the old settings.
final class BucketSettingsCache: Sendable {
    private struct State {
        var entries: [String: BucketSettings] = [:]
        /// Invalidations so far: a load keeps its result only if none happened while it ran.
        var invalidations: UInt64 = 0
    }

    private let state = Mutex(State())

    func settings(for bucket: String, load: () throws -> BucketSettings) rethrows -> BucketSettings {
        let (cached, invalidations) = state.withLock { ($0.entries[bucket], $0.invalidations) }
        if let cached {
            return cached
        }
        let loaded = try load()
        state.withLock { state in
            if state.invalidations == invalidations {
                state.entries[bucket] = loaded
            }
        }
        return loaded
    }

    func invalidate(_ bucket: String) {
        state.withLock { state in
            state.entries.removeValue(forKey: bucket)
            state.invalidations &+= 1
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.invalidations &+= 1
        }
    }
}
