/// Decides whether a request is allowed, the way AWS evaluates S3 requests within an account:
///
/// 1. an explicit `Deny` in any identity-based policy or in the bucket policy wins;
/// 2. otherwise an `Allow` in an identity-based policy (the user's or a group's) or in the
///    bucket policy allows — for a principal of another account, both must allow;
/// 3. the root user of the bucket owner's account is allowed unless the bucket policy denies it
///    (and even then may always get, put and delete the bucket policy);
/// 4. an anonymous request can only be allowed by the bucket policy or an ACL;
/// 5. Block Public Access: with `RestrictPublicBuckets`, a public bucket policy's grants serve
///    only principals of the bucket owner's account; with `IgnorePublicAcls`, ACL grants to
///    `AllUsers`/`AuthenticatedUsers` count for nothing;
/// 6. otherwise the request is denied (implicitly).
///
/// Policies are compiled when stored (``PolicyDocument``); evaluating walks compiled
/// statements only. The explanation (``AuthorizationDecision/trace``) is built on demand.
///
/// ```swift
/// let decision = PolicyEvaluator().evaluate(
///     request, identityPolicies: userPolicies, bucketPolicy: bucket.policy,
///     publicAccessBlock: .effective(bucket: bucket.publicAccessBlock, account: account.publicAccessBlock))
/// ```
public struct PolicyEvaluator: Sendable {
    /// Actions the bucket owner's root user may always perform, so that a bucket policy that
    /// locks everyone out can be repaired.
    static let rootAlwaysAllowedActions: Set<String> = [
        "s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy",
    ]

    public init() {}

    /// Decides `request`.
    ///
    /// - Parameters:
    ///   - identityPolicies: the policies attached to the user and to the user's groups;
    ///     ignored for the root user and anonymous requests.
    ///   - bucketPolicy: the bucket's policy, if it has one.
    ///   - publicAccessBlock: the effective Block Public Access settings
    ///     (``PublicAccessBlockConfiguration/effective(bucket:account:)``).
    ///   - acl: what the bucket or object ACL grants this request.
    public func evaluate(
        _ request: AuthorizationRequest,
        identityPolicies: [IdentityPolicy],
        bucketPolicy: PolicyDocument?,
        publicAccessBlock: PublicAccessBlockConfiguration = .noneBlocked,
        acl: ACLGrant = .none
    ) -> AuthorizationDecision {
        let context = EvaluationContext(
            request: request, identityPolicies: identityPolicies, bucketPolicy: bucketPolicy,
            publicAccessBlock: publicAccessBlock, acl: acl)
        let principal = request.principal
        let sameAccount = principal.account == request.bucketOwnerAccount

        var identityAllow: StatementReference?
        if case .user = principal {
            for policy in identityPolicies {
                for statement in policy.document.statements where statement.evaluate(request) == .matched {
                    let reference = StatementReference(
                        policy: .identityPolicy(name: policy.name), statementIndex: statement.index, sid: statement.sid)
                    if statement.effect == .deny {
                        return denial(.explicitDeny(reference), context)
                    }
                    if identityAllow == nil { identityAllow = reference }
                }
            }
        }

        var bucketAllow: StatementReference?
        if let bucketPolicy {
            let rootExempt: Bool
            if case .root = principal, sameAccount {
                rootExempt = Self.rootAlwaysAllowedActions.contains(request.action.lowercased())
            } else {
                rootExempt = false
            }
            for statement in bucketPolicy.statements where statement.evaluate(request) == .matched {
                let reference = StatementReference(
                    policy: .bucketPolicy, statementIndex: statement.index, sid: statement.sid)
                if statement.effect == .deny {
                    if rootExempt { continue }
                    return denial(.explicitDeny(reference), context)
                }
                if bucketAllow == nil { bucketAllow = reference }
            }
        }

        if case .root = principal, sameAccount {
            return AuthorizationDecision(kind: .allowed(by: .rootUser), message: "", context: context)
        }

        var blockedReasons: [String] = []
        if bucketAllow != nil, publicAccessBlock.restrictPublicBuckets, bucketPolicy?.isPublic == true, !sameAccount {
            bucketAllow = nil
            blockedReasons.append(
                "RestrictPublicBuckets is on and the bucket policy is public, so its grants serve only "
                    + "principals of account \(request.bucketOwnerAccount)")
        }
        var aclAllows = false
        if case let .granted(viaPublicGroup) = acl {
            if viaPublicGroup, publicAccessBlock.ignorePublicAcls {
                blockedReasons.append("IgnorePublicAcls is on, so the public ACL grant does not count")
            } else {
                aclAllows = true
            }
        }

        switch principal {
        case .user where sameAccount:
            if let identityAllow { return allowed(.statement(identityAllow), context) }
            if let bucketAllow { return allowed(.statement(bucketAllow), context) }
            if aclAllows { return allowed(.accessControlList, context) }
        case .user:
            // Another account's user needs both its own identity-based allow and the bucket's.
            if let identityAllow {
                if let bucketAllow { return allowed(.statement(bucketAllow), context) }
                if aclAllows { return allowed(.statement(identityAllow), context) }
            }
        case .root, .anonymous:
            if let bucketAllow { return allowed(.statement(bucketAllow), context) }
            if aclAllows { return allowed(.accessControlList, context) }
        }

        if !blockedReasons.isEmpty {
            return denial(.publicAccessBlocked(reason: blockedReasons.joined(separator: "; ")), context)
        }
        let reason = implicitDenyReason(request, sameAccount: sameAccount, identityAllow)
        return denial(.implicitDeny(reason: reason), context)
    }

    /// The refusal of a PutBucketPolicy whose policy is public while `BlockPublicPolicy` is in
    /// force; nil when the policy may be stored.
    ///
    /// ```swift
    /// if let denial = evaluator.blockPublicPolicyDenial(
    ///     for: newPolicy, request: request, publicAccessBlock: settings)
    /// {
    ///     throw denial.accessDenied
    /// }
    /// ```
    public func blockPublicPolicyDenial(
        for policy: PolicyDocument, request: AuthorizationRequest, publicAccessBlock: PublicAccessBlockConfiguration
    ) -> AuthorizationDecision? {
        guard publicAccessBlock.blockPublicPolicy, policy.isPublic else { return nil }
        let message: String
        if let arn = request.principal.arn, request.principal.account == request.bucketOwnerAccount {
            message = "User: \(arn) is not authorized to perform: \(request.action) "
                + "on resource: \"\(request.resource)\" "
                + "because public policies are blocked by the BlockPublicPolicy block public access setting."
        } else {
            message = AccessDeniedMessage.generic
        }
        let publicStatements = policy.statements.filter(PublicPolicyJudge.isPublic).map(\.label)
        return AuthorizationDecision(
            kind: .publicAccessBlocked(
                reason: "BlockPublicPolicy is on and the policy is public (statement "
                    + publicStatements.joined(separator: ", ")
                    + " grants to everyone without a restricting condition)"),
            message: message, context: nil)
    }

    private func allowed(_ grant: AuthorizationDecision.Grant, _ context: EvaluationContext) -> AuthorizationDecision {
        AuthorizationDecision(kind: .allowed(by: grant), message: "", context: context)
    }

    private func denial(_ kind: AuthorizationDecision.Kind, _ context: EvaluationContext) -> AuthorizationDecision {
        AuthorizationDecision(kind: kind, message: AccessDeniedMessage.make(kind, context.request), context: context)
    }

    private func implicitDenyReason(
        _ request: AuthorizationRequest, sameAccount: Bool, _ identityAllow: StatementReference?
    ) -> String {
        let target = "\(request.action) on \(request.resource)"
        switch request.principal {
        case .anonymous:
            return "no bucket policy statement or ACL grants \(target) to anonymous requests"
        case .root:
            return "the bucket policy does not grant \(target) to account \(request.principal.account ?? "")"
        case .user where sameAccount:
            return "no identity-based policy or bucket policy statement allows \(target)"
        case .user:
            return identityAllow == nil
                ? "no identity-based policy allows \(target)"
                : "the bucket policy does not grant \(target) to another account"
        }
    }
}
