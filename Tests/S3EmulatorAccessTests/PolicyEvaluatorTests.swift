import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// The decision rules: Deny beats Allow, identity-based and bucket policies, NotAction,
/// NotResource, NotPrincipal, the root user, anonymous requests, Block Public Access, ACLs,
/// and AWS's AccessDenied messages for each kind of denial.
final class PolicyEvaluatorTests: XCTestCase {
    let evaluator = PolicyEvaluator()
    let steve = iamUser("steve")
    let bob = iamUser("bob")
    let object = "arn:aws:s3:::b/photos/cat.jpg"

    func decide(
        _ principal: Principal, _ action: String, _ resource: String, identity: [IdentityPolicy] = [],
        bucket: PolicyDocument? = nil, block: PublicAccessBlockConfiguration = .noneBlocked, acl: ACLGrant = .none,
        keys: [String: [String]] = [:], canonicalUserID: String? = nil
    ) -> AuthorizationDecision {
        evaluator.evaluate(
            authorizationRequest(principal, action, resource, keys: keys, canonicalUserID: canonicalUserID),
            identityPolicies: identity, bucketPolicy: bucket, publicAccessBlock: block, acl: acl)
    }

    func identity(_ statements: String, name: String = "policy") throws -> IdentityPolicy {
        try identityPolicy(#"{"Version":"2012-10-17","Statement":[\#(statements)]}"#, name: name)
    }

    func bucket(_ statements: String) throws -> PolicyDocument {
        try bucketPolicy(#"{"Version":"2012-10-17","Statement":[\#(statements)]}"#, bucket: "b")
    }

    // MARK: - Deny beats Allow

    func testExplicitDenyInAnIdentityPolicyBeatsAnAllow() throws {
        let policy = try identity(
            #"{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, identity: [policy]).allowed)
        let denied = decide(steve, "s3:DeleteObject", object, identity: [policy])
        XCTAssertFalse(denied.allowed)
        XCTAssertEqual(
            denied.kind,
            .explicitDeny(StatementReference(policy: .identityPolicy(name: "policy"), statementIndex: 1, sid: "NoDeletes")))
        XCTAssertEqual(
            denied.message,
            "User: arn:aws:iam::123456789012:user/steve is not authorized to perform: s3:DeleteObject on resource: "
                + "\"arn:aws:s3:::b/photos/cat.jpg\" with an explicit deny in an identity-based policy")
        XCTAssertEqual(denied.shortTrace, "explicit deny by identity-based policy \"policy\" statement NoDeletes")
    }

    func testExplicitDenyInTheBucketPolicyBeatsAnIdentityAllow() throws {
        let allow = try identity(#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#)
        let policy = try bucket(
            #"{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","#
                + #""Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#)
        XCTAssertTrue(
            decide(steve, "s3:GetObject", object, identity: [allow], bucket: policy, keys: ["aws:SecureTransport": ["true"]])
                .allowed)
        let denied = decide(
            steve, "s3:GetObject", object, identity: [allow], bucket: policy, keys: ["aws:SecureTransport": ["false"]])
        XCTAssertEqual(denied.kind, .explicitDeny(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: "DenyInsecure")))
        XCTAssertEqual(
            denied.message,
            "User: arn:aws:iam::123456789012:user/steve is not authorized to perform: s3:GetObject on resource: "
                + "\"arn:aws:s3:::b/photos/cat.jpg\" with an explicit deny in a resource-based policy")
    }

    func testADenyInAGroupPolicyBeatsTheUsersAllow() throws {
        let user = try identity(#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#, name: "user steve: own")
        let group = try identity(
            #"{"Effect":"Deny","Action":"s3:Put*","Resource":"arn:aws:s3:::b/photos/*"}"#, name: "group interns: no-photos")
        let denied = decide(iamUser("steve", groups: ["interns"]), "s3:PutObject", object, identity: [user, group])
        XCTAssertEqual(
            denied.kind,
            .explicitDeny(StatementReference(policy: .identityPolicy(name: "group interns: no-photos"), statementIndex: 0, sid: nil)))
        XCTAssertTrue(
            decide(iamUser("steve", groups: ["interns"]), "s3:PutObject", "arn:aws:s3:::b/docs/a", identity: [user, group]).allowed)
    }

    func testABucketPolicyAllowAloneAllowsAUserItNames() throws {
        let policy = try bucket(
            #"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/steve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, bucket: policy).allowed)
        XCTAssertFalse(decide(bob, "s3:GetObject", object, bucket: policy).allowed)
    }

    func testNamingTheAccountInABucketPolicyGrantsItsUsersNothingByItself() throws {
        let allow = try bucket(
            #"{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        let decision = decide(steve, "s3:GetObject", object, bucket: allow)
        XCTAssertFalse(decision.allowed)
        XCTAssertTrue(decision.trace.contains { $0.contains("naming the account grants its users nothing") })
        let deny = try bucket(
            #"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        let allowAll = try identity(#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#)
        guard case .explicitDeny = decide(steve, "s3:GetObject", object, identity: [allowAll], bucket: deny).kind else {
            return XCTFail("a Deny naming the account applies to its users")
        }
    }

    // MARK: - NotAction, NotResource, NotPrincipal

    func testNotAction() throws {
        let policy = try identity(#"{"Effect":"Allow","NotAction":["s3:Delete*","s3:PutBucketPolicy"],"Resource":"*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, identity: [policy]).allowed)
        XCTAssertTrue(decide(steve, "s3:PutObject", object, identity: [policy]).allowed)
        XCTAssertFalse(decide(steve, "s3:DeleteObject", object, identity: [policy]).allowed)
        let denied = decide(steve, "s3:PutBucketPolicy", "arn:aws:s3:::b", identity: [policy])
        XCTAssertEqual(denied.message, noIdentityPolicyAllows("steve", "s3:PutBucketPolicy", "arn:aws:s3:::b"))
        XCTAssertTrue(denied.trace.contains("  statement #1 (Allow): NotAction [s3:Delete*, s3:PutBucketPolicy] lists s3:PutBucketPolicy"))
    }

    func testNotResource() throws {
        let allowAll = try identity(#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#)
        let policy = try bucket(
            #"{"Sid":"PublicOnly","Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/public/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", "arn:aws:s3:::b/public/a", identity: [allowAll], bucket: policy).allowed)
        let denied = decide(steve, "s3:GetObject", "arn:aws:s3:::b/private/a", identity: [allowAll], bucket: policy)
        XCTAssertEqual(denied.kind, .explicitDeny(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: "PublicOnly")))
        // NotResource in an identity policy with Allow.
        let notPrivate = try identity(#"{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/private/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", "arn:aws:s3:::b/public/a", identity: [notPrivate]).allowed)
        XCTAssertFalse(decide(steve, "s3:GetObject", "arn:aws:s3:::b/private/a", identity: [notPrivate]).allowed)
    }

    func testNotPrincipal() throws {
        let allowAll = try identity(#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#)
        let policy = try bucket(
            #"{"Sid":"OnlySteve","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/steve"},"#
                + #""Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, identity: [allowAll], bucket: policy).allowed)
        let bobDenied = decide(bob, "s3:GetObject", object, identity: [allowAll], bucket: policy)
        XCTAssertEqual(bobDenied.kind, .explicitDeny(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: "OnlySteve")))
        let anonymous = decide(.anonymous, "s3:GetObject", object, bucket: policy)
        guard case .explicitDeny = anonymous.kind else { return XCTFail("\(anonymous.kind)") }
        XCTAssertEqual(anonymous.message, "Access Denied")
    }

    // MARK: - Wildcards in actions and resources

    func testActionsAreCaseInsensitiveAndResourcesCaseSensitive() throws {
        let policy = try identity(#"{"Effect":"Allow","Action":["S3:get*","s3:?utObject"],"Resource":"arn:aws:s3:::b/Photos/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", "arn:aws:s3:::b/Photos/a", identity: [policy]).allowed)
        XCTAssertTrue(decide(steve, "s3:GetObjectTagging", "arn:aws:s3:::b/Photos/a", identity: [policy]).allowed)
        XCTAssertTrue(decide(steve, "s3:PutObject", "arn:aws:s3:::b/Photos/a", identity: [policy]).allowed)
        XCTAssertFalse(decide(steve, "s3:PutObjectAcl", "arn:aws:s3:::b/Photos/a", identity: [policy]).allowed)
        XCTAssertFalse(decide(steve, "s3:GetObject", "arn:aws:s3:::b/photos/a", identity: [policy]).allowed)
        XCTAssertFalse(decide(steve, "s3:DeleteObject", "arn:aws:s3:::b/Photos/a", identity: [policy]).allowed)
    }

    func testOtherServicesActionsNeverMatchS3Requests() throws {
        let policy = try identity(#"{"Effect":"Allow","Action":["iam:*","ec2:*"],"Resource":"*"}"#)
        XCTAssertFalse(decide(steve, "s3:GetObject", object, identity: [policy]).allowed)
        let all = try identity(#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, identity: [all]).allowed)
    }

    // MARK: - Root user

    func testRootIsAllowedUnlessTheBucketPolicyDenies() throws {
        XCTAssertEqual(decide(rootUser, "s3:PutBucketPolicy", "arn:aws:s3:::b").kind, .allowed(by: .rootUser))
        // Identity-based policies do not apply to the root user.
        let denyAll = try identity(#"{"Effect":"Deny","Action":"*","Resource":"*"}"#)
        XCTAssertTrue(decide(rootUser, "s3:GetObject", object, identity: [denyAll]).allowed)
        let lockout = try bucket(#"{"Sid":"Lockout","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#)
        let denied = decide(rootUser, "s3:GetObject", object, bucket: lockout)
        XCTAssertEqual(denied.kind, .explicitDeny(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: "Lockout")))
        XCTAssertEqual(
            denied.message,
            "User: arn:aws:iam::123456789012:root is not authorized to perform: s3:GetObject on resource: "
                + "\"arn:aws:s3:::b/photos/cat.jpg\" with an explicit deny in a resource-based policy")
        // The root user can always repair the bucket policy.
        for action in ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"] {
            XCTAssertTrue(decide(rootUser, action, "arn:aws:s3:::b", bucket: lockout).allowed, action)
        }
        XCTAssertFalse(decide(rootUser, "s3:DeleteBucket", "arn:aws:s3:::b", bucket: lockout).allowed)
        XCTAssertFalse(decide(steve, "s3:DeleteBucketPolicy", "arn:aws:s3:::b", identity: [try identity(
            #"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#)], bucket: lockout).allowed)
    }

    // MARK: - Anonymous requests

    func testAnonymousRequestsIgnoreIdentityPolicies() throws {
        let everything = try identity(#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)
        let decision = decide(.anonymous, "s3:GetObject", object, identity: [everything])
        XCTAssertFalse(decision.allowed)
        XCTAssertEqual(decision.message, "Access Denied")
        XCTAssertTrue(decision.trace.contains("identity-based policies: none (anonymous request)"))
        let publicRead = try bucket(#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertTrue(decide(.anonymous, "s3:GetObject", object, bucket: publicRead).allowed)
        XCTAssertFalse(decide(.anonymous, "s3:PutObject", object, bucket: publicRead).allowed)
    }

    func testUsersWithoutPoliciesAreDenied() {
        let decision = decide(steve, "s3:GetObject", object)
        XCTAssertFalse(decision.allowed)
        XCTAssertEqual(decision.message, noIdentityPolicyAllows("steve", "s3:GetObject", object))
        XCTAssertEqual(decision.accessDenied.code, .accessDenied)
        XCTAssertEqual(decision.accessDenied.code.status, 403)
        XCTAssertEqual(decision.accessDenied.message, decision.message)
        XCTAssertTrue(decision.trace.contains("identity-based policies: none attached"))
        guard case .implicitDeny = decision.kind else { return XCTFail("\(decision.kind)") }
    }

    func testAccountLevelActionsAreNamedWithoutAResourceInTheMessage() {
        let decision = decide(bob, "s3:ListAllMyBuckets", AuthorizationRequest.accountLevelResource)
        XCTAssertEqual(
            decision.message,
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:ListAllMyBuckets "
                + "because no identity-based policy allows the s3:ListAllMyBuckets action")
    }

    func testCanonicalUserPrincipal() throws {
        let id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
        let policy = try bucket(#"{"Effect":"Allow","Principal":{"CanonicalUser":"\#(id)"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertTrue(decide(steve, "s3:GetObject", object, bucket: policy, canonicalUserID: id).allowed)
        XCTAssertFalse(decide(steve, "s3:GetObject", object, bucket: policy, canonicalUserID: "other").allowed)
        XCTAssertFalse(decide(steve, "s3:GetObject", object, bucket: policy).allowed)
    }

    func testServicePrincipalsMatchNoRequestOfTheEmulator() throws {
        let policy = try bucket(#"{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertFalse(decide(.anonymous, "s3:PutObject", object, bucket: policy).allowed)
        XCTAssertFalse(decide(steve, "s3:PutObject", object, bucket: policy).allowed)
    }

    // MARK: - Another account

    func testAnotherAccountsUserNeedsBothPolicies() throws {
        let stranger = iamUser("eve", account: "210987654321")
        let own = try identity(#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#)
        let grant = try bucket(#"{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertFalse(decide(stranger, "s3:GetObject", object, identity: [own]).allowed)
        XCTAssertEqual(decide(stranger, "s3:GetObject", object, identity: [own]).message, "Access Denied")
        XCTAssertFalse(decide(stranger, "s3:GetObject", object, bucket: grant).allowed)
        let both = decide(stranger, "s3:GetObject", object, identity: [own], bucket: grant)
        XCTAssertFalse(both.allowed, "an account principal in an Allow serves the account's root only")
        let named = try bucket(#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:user/eve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertTrue(decide(stranger, "s3:GetObject", object, identity: [own], bucket: named).allowed)
        XCTAssertTrue(decide(.root(account: "210987654321"), "s3:GetObject", object, bucket: grant).allowed)
        XCTAssertFalse(decide(.root(account: "210987654321"), "s3:PutObject", object, bucket: grant).allowed)
    }

    // MARK: - Block Public Access

    func testRestrictPublicBucketsKeepsPublicGrantsFromAnonymousRequests() throws {
        let publicRead = try bucket(#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        let restrict = PublicAccessBlockConfiguration(restrictPublicBuckets: true)
        XCTAssertTrue(decide(.anonymous, "s3:GetObject", object, bucket: publicRead).allowed)
        let blocked = decide(.anonymous, "s3:GetObject", object, bucket: publicRead, block: restrict)
        guard case let .publicAccessBlocked(reason) = blocked.kind else { return XCTFail("\(blocked.kind)") }
        XCTAssertTrue(reason.contains("RestrictPublicBuckets"))
        XCTAssertEqual(blocked.message, "Access Denied")
        XCTAssertTrue(blocked.trace.contains("Block Public Access: RestrictPublicBuckets"))
        // Users of the bucket owner's account still use the public policy's grants.
        XCTAssertTrue(decide(steve, "s3:GetObject", object, bucket: publicRead, block: restrict).allowed)
        // A policy that is not public is not affected.
        let fixed = try bucket(
            #"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","#
                + #""Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#)
        XCTAssertFalse(fixed.isPublic)
        XCTAssertTrue(
            decide(.anonymous, "s3:GetObject", object, bucket: fixed, block: restrict, keys: ["aws:SourceIp": ["203.0.113.5"]])
                .allowed)
        // New buckets have every setting on.
        guard case .publicAccessBlocked = decide(.anonymous, "s3:GetObject", object, bucket: publicRead, block: .allBlocked).kind
        else { return XCTFail("RestrictPublicBuckets is part of allBlocked") }
    }

    func testACLGrantsAndIgnorePublicAcls() throws {
        XCTAssertEqual(
            decide(.anonymous, "s3:GetObject", object, acl: .granted(viaPublicGroup: true)).kind,
            .allowed(by: .accessControlList))
        let ignored = decide(
            .anonymous, "s3:GetObject", object, block: PublicAccessBlockConfiguration(ignorePublicAcls: true),
            acl: .granted(viaPublicGroup: true))
        guard case .publicAccessBlocked = ignored.kind else { return XCTFail("\(ignored.kind)") }
        XCTAssertEqual(ignored.message, "Access Denied")
        XCTAssertTrue(
            decide(steve, "s3:GetObject", object, block: .allBlocked, acl: .granted(viaPublicGroup: false)).allowed)
        // An ACL cannot override an explicit deny.
        let deny = try bucket(#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        XCTAssertFalse(decide(.anonymous, "s3:GetObject", object, bucket: deny, acl: .granted(viaPublicGroup: true)).allowed)
    }

    func testEffectiveBlockPublicAccessIsTheMostRestrictiveCombination() {
        let bucket = PublicAccessBlockConfiguration(blockPublicAcls: true, restrictPublicBuckets: false)
        let account = PublicAccessBlockConfiguration(ignorePublicAcls: true, restrictPublicBuckets: true)
        XCTAssertEqual(
            PublicAccessBlockConfiguration.effective(bucket: bucket, account: account),
            PublicAccessBlockConfiguration(
                blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: true))
        XCTAssertEqual(PublicAccessBlockConfiguration.effective(bucket: nil, account: nil), .noneBlocked)
        XCTAssertEqual(PublicAccessBlockConfiguration.effective(bucket: .allBlocked, account: nil), .allBlocked)
    }

    func testBlockPublicPolicyOnlyRefusesPublicPolicies() throws {
        let fixed = try bucket(
            #"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/steve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        let request = authorizationRequest(rootUser, "s3:PutBucketPolicy", "arn:aws:s3:::b")
        XCTAssertNil(evaluator.blockPublicPolicyDenial(for: fixed, request: request, publicAccessBlock: .allBlocked))
        let open = try bucket(#"{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#)
        let denial = try XCTUnwrap(evaluator.blockPublicPolicyDenial(for: open, request: request, publicAccessBlock: .allBlocked))
        XCTAssertEqual(
            denial.message,
            "User: arn:aws:iam::123456789012:root is not authorized to perform: s3:PutBucketPolicy on resource: "
                + "\"arn:aws:s3:::b\" because public policies are blocked by the BlockPublicPolicy block public access setting.")
        XCTAssertTrue(denial.shortTrace.contains("statement Open"))
    }

    // MARK: - Traces

    func testTracesAreBuiltOnlyFromTheDecisionsInputs() throws {
        let policy = try identity(
            #"{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#, name: "user steve: read")
        let allowed = decide(steve, "s3:GetObject", object, identity: [policy])
        XCTAssertEqual(allowed.shortTrace, "allowed by identity-based policy \"user steve: read\" statement Read")
        XCTAssertEqual(
            allowed.trace,
            [
                "request: user arn:aws:iam::123456789012:user/steve (account 123456789012) s3:GetObject on arn:aws:s3:::b/photos/cat.jpg",
                "identity-based policy \"user steve: read\" (Version 2012-10-17)",
                "  statement Read (Allow): matched → Allow",
                "bucket policy: none",
                "decision: allowed by identity-based policy \"user steve: read\" statement Read",
            ])
        XCTAssertEqual(allowed.message, "")
    }

    func testShortTraceIsOneHeaderSafeLine() throws {
        let policy = try identity(#"{"Sid":"Ünïcode","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/ключ"}"#)
        let decision = decide(steve, "s3:GetObject", "arn:aws:s3:::b/other\nline", identity: [policy])
        let line = decision.shortTrace
        XCTAssertFalse(line.isEmpty)
        XCTAssertTrue(line.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }, line)
        XCTAssertTrue(line.contains("?n?code: resource not matched"), line)
    }
}
