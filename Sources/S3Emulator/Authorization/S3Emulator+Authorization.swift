import Foundation
import Logging
import S3EmulatorAccess
import S3EmulatorAuth
import S3EmulatorCore
import S3EmulatorStorage
import Synchronization

/// Who is asking and what the request context says: what every authorization check of one
/// request shares.
///
/// The condition keys are built the first time a check needs them: a check with no policy to
/// evaluate (the account's root user on a bucket without a policy, the usual case) never does.
struct AuthorizationSubject: Sendable {
    let identity: IdentityRegistry.Identity
    private let keys: LazyConditionKeys

    init(identity: IdentityRegistry.Identity, conditionKeys: @escaping @Sendable () -> [String: [String]]) {
        self.identity = identity
        self.keys = LazyConditionKeys(conditionKeys)
    }

    /// The request's condition keys (`aws:SourceIp`, `s3:prefix`, …).
    var conditionKeys: [String: [String]] { keys.value }

    /// Whether a check by this subject on a bucket with `bucketPolicy` reads any policy statement,
    /// and so any condition key.
    func evaluatesStatements(bucketPolicy: PolicyDocument?) -> Bool {
        guard bucketPolicy == nil else { return true }
        guard case .user = identity.principal else { return false }
        return !identity.policies.isEmpty
    }
}

/// Condition keys built once, on first use.
private final class LazyConditionKeys: Sendable {
    private let build: @Sendable () -> [String: [String]]
    private let built = Mutex<[String: [String]]?>(nil)

    init(_ build: @escaping @Sendable () -> [String: [String]]) {
        self.build = build
    }

    var value: [String: [String]] {
        if let keys = built.withLock({ $0 }) { return keys }
        let keys = build()
        built.withLock { $0 = keys }
        return keys
    }
}

extension S3Emulator {
    /// Decides `action` on `resource` for the subject. Throws AccessDenied with AWS's message,
    /// the one-line explanation in `x-s3emu-authz`, and the full trace in the debug log.
    /// `settings` are the bucket's, when the caller has them already.
    @discardableResult
    func authorize(
        _ subject: AuthorizationSubject, action: String, resource: String, bucket: String?, acl: ACLGrant = .none,
        settings: BucketSettings? = nil
    ) throws(S3Error) -> AuthorizationDecision {
        let settings = settings ?? bucket.map(bucketSettings) ?? .none
        let canonicalUserID = subject.identity.principal == .anonymous ? nil : owner.canonicalID
        let request = subject.evaluatesStatements(bucketPolicy: settings.policy)
            ? AuthorizationRequest(
                principal: subject.identity.principal, action: action, resource: resource,
                bucketOwnerAccount: configuration.accountID, conditionKeys: subject.conditionKeys,
                canonicalUserID: canonicalUserID, currentTime: configuration.clock.now()
            )
            : AuthorizationRequest.withoutConditionKeys(
                principal: subject.identity.principal, action: action, resource: resource,
                bucketOwnerAccount: configuration.accountID, canonicalUserID: canonicalUserID
            )
        let decision = evaluator.evaluate(
            request, identityPolicies: subject.identity.policies, bucketPolicy: settings.policy,
            publicAccessBlock: effectivePublicAccessBlock(settings), acl: acl
        )
        if tracesAuthorization {
            logger.debug("authorization \(action) \(resource): \(decision.allowed ? "allowed" : "denied")", metadata: [
                "trace": .array(decision.trace.map { .string($0) }),
            ])
        }
        guard decision.allowed else {
            var error = decision.accessDenied
            error.headers.append(("x-s3emu-authz", decision.shortTrace))
            throw error
        }
        return decision
    }

    /// The Block Public Access settings in force for a bucket: the bucket's and the account's together.
    func effectivePublicAccessBlock(_ settings: BucketSettings) -> PublicAccessBlockConfiguration {
        PublicAccessBlockConfiguration.effective(
            bucket: settings.publicAccessBlock?.evaluatorConfiguration,
            account: configuration.accountPublicAccessBlock?.evaluatorConfiguration
        )
    }

    /// The compiled settings of a bucket (empty for a bucket that does not exist).
    func bucketSettings(_ bucket: String) -> BucketSettings {
        bucketSettingsCache.settings(for: bucket) {
            let stored = (try? store.metadata.bucketConfigurations(bucket: bucket)) ?? [:]
            return BucketSettings(bucket: bucket, configurations: stored)
        }
    }

    /// Stores (or, with nil, removes) one bucket configuration and drops the compiled settings.
    func setBucketConfiguration(_ bucket: String, name: String, value: String?) async throws {
        let stored = try await store.io { [store] in
            try store.metadata.setBucketConfiguration(bucket: bucket, name: name, value: value)
        }
        bucketSettingsCache.invalidate(bucket)
        guard stored else { throw S3Error(.noSuchBucket, details: [("BucketName", bucket)]) }
    }

    /// Authorizes the request's own action, before its handler runs.
    func authorizeRequest(
        operation: S3Operation, address: RequestAddress, subject: AuthorizationSubject, namesVersion: Bool = false
    ) throws(S3Error) -> String? {
        guard let action = namesVersion ? operation.versionIAMAction : operation.iamAction else { return nil }
        let bucket = address.bucket
        let resource: String
        if operation == .listBuckets {
            resource = AuthorizationRequest.accountLevelResource
        } else if operation.actsOnObject {
            resource = S3ARN.object(bucket ?? "", address.key ?? "")
        } else {
            resource = S3ARN.bucket(bucket ?? "")
        }
        // Read once for the ACL and the policies.
        let settings = bucket.map(bucketSettings)
        let acl = aclGrant(operation: operation, address: address, principal: subject.identity.principal, settings: settings)
        return try authorize(subject, action: action, resource: resource, bucket: bucket, acl: acl, settings: settings).shortTrace
    }

    /// The condition keys of a request, as the IAM and S3 condition key references define them.
    func conditionKeys(
        request: S3Request, authentication: AuthResult, operation: S3Operation, query: QueryParameters
    ) -> [String: [String]] {
        var keys: [String: [String]] = [:]
        keys["aws:SecureTransport"] = [request.isSecure ? "true" : "false"]
        if let address = request.remoteAddress { keys["aws:SourceIp"] = [address] }
        if let referer = request.headers["referer"] { keys["aws:Referer"] = [referer] }
        if let agent = request.headers["user-agent"] { keys["aws:UserAgent"] = [agent] }
        if let authType = authentication.method.authType { keys["s3:authType"] = [authType] }
        if let version = authentication.method.signatureVersion { keys["s3:signatureversion"] = [version] }
        if let age = authentication.signatureAge { keys["s3:signatureAge"] = [String(Int(age))] }
        for name in ["x-amz-content-sha256", "x-amz-acl", "x-amz-server-side-encryption", "x-amz-metadata-directive", "x-amz-copy-source"] {
            if let value = request.headers[name] { keys["s3:" + name] = [value] }
        }
        if let versionID = query["versionId"] { keys["s3:versionid"] = [versionID] }
        if operation == .listObjects || operation == .listObjectsV2 || operation == .listObjectVersions {
            for name in ["prefix", "delimiter", "max-keys"] {
                if let value = query[name] { keys["s3:" + name] = [value] }
            }
        }
        // The tags a write sets; a malformed header is refused later by the handler itself.
        if let tagging = request.headers["x-amz-tagging"], let tags = try? ObjectTagSet.parse(header: tagging) {
            for (key, value) in tags { keys["s3:RequestObjectTag/" + key] = [value] }
            keys["s3:RequestObjectTagKeys"] = tags.keys.sorted()
        }
        return keys
    }

    /// Operations whose policies may test the tags of the object they act on.
    static let readsExistingObjectTags: Set<S3Operation> = [
        .getObject, .headObject, .getObjectAcl, .putObjectAcl, .getObjectTagging, .putObjectTagging, .deleteObjectTagging,
    ]

    /// `s3:ExistingObjectTag/<key>` for operations on an existing object. Read only when a policy
    /// could ask (the principal has identity policies or the bucket has a policy).
    func addExistingObjectTags(
        to keys: inout [String: [String]], operation: S3Operation, address: RequestAddress, identity: IdentityRegistry.Identity
    ) {
        guard Self.readsExistingObjectTags.contains(operation), let bucket = address.bucket, let key = address.key,
              !identity.policies.isEmpty || bucketSettings(bucket).policy != nil,
              let record = try? store.metadata.object(bucket: bucket, key: key)
        else { return }
        for (tag, value) in record.metadata.tags { keys["s3:ExistingObjectTag/" + tag] = [value] }
    }

    /// What the bucket or object ACL grants the request. ACLs only count when the bucket's
    /// Object Ownership allows them; only grants to the public groups matter, since the
    /// account's own principals are governed by policies.
    private func aclGrant(operation: S3Operation, address: RequestAddress, principal: Principal, settings: BucketSettings?) -> ACLGrant {
        guard let bucket = address.bucket, let settings else { return .none }
        guard settings.aclsEnabled else { return .none }
        let authenticated = principal != .anonymous
        func objectACL() -> AccessControlList {
            AccessControlList(stored: (try? store.metadata.object(bucket: bucket, key: address.key ?? ""))?.metadata.acl)
        }
        switch operation {
        case .getObject, .headObject: return objectACL().grant(.read, authenticated: authenticated)
        case .getObjectAcl: return objectACL().grant(.readACP, authenticated: authenticated)
        case .putObjectAcl: return objectACL().grant(.writeACP, authenticated: authenticated)
        case .listObjects, .listObjectsV2, .headBucket: return settings.acl.grant(.read, authenticated: authenticated)
        case .putObject, .deleteObject: return settings.acl.grant(.write, authenticated: authenticated)
        case .getBucketAcl: return settings.acl.grant(.readACP, authenticated: authenticated)
        case .putBucketAcl: return settings.acl.grant(.writeACP, authenticated: authenticated)
        default: return .none
        }
    }
}
