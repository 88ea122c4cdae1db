import Foundation
import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// Every authorization row of the five applications in shared/scenarios/README.md, decided
/// against the policy files as those applications publish them (copied into Fixtures/).
final class ScenarioAuthorizationTests: XCTestCase {
    /// One row: a request and the outcome AWS gives it.
    struct Row {
        var description: String
        var principal: Principal
        var action: String
        var resource: String
        var allowed: Bool
        /// The AccessDenied message, when denied.
        var message: String?
        var line: UInt = #line
    }

    struct Setup {
        var identityPolicies: [String: [IdentityPolicy]]
        var bucketPolicies: [String: PolicyDocument]
        var publicAccessBlocks: [String: PublicAccessBlockConfiguration]

        func decide(_ row: Row) -> AuthorizationDecision {
            let bucket = Self.bucket(of: row.resource)
            var policies: [IdentityPolicy] = []
            if case let .user(name, _, _, _, _) = row.principal { policies = identityPolicies[name] ?? [] }
            let request = authorizationRequest(row.principal, row.action, row.resource)
            return PolicyEvaluator().evaluate(
                request, identityPolicies: policies, bucketPolicy: bucket.flatMap { bucketPolicies[$0] },
                publicAccessBlock: bucket.flatMap { publicAccessBlocks[$0] } ?? .allBlocked)
        }

        static func bucket(of resource: String) -> String? {
            guard resource.hasPrefix("arn:aws:s3:::"), resource != "arn:aws:s3:::*" else { return nil }
            let rest = resource.dropFirst("arn:aws:s3:::".count)
            return String(rest.split(separator: "/", maxSplits: 1).first ?? rest)
        }
    }

    func check(_ rows: [Row], _ setup: Setup, file: StaticString = #filePath) {
        for row in rows {
            let decision = setup.decide(row)
            XCTAssertEqual(
                decision.allowed, row.allowed, "\(row.description)\n" + decision.trace.joined(separator: "\n"),
                file: file, line: row.line)
            if let message = row.message {
                XCTAssertEqual(decision.message, message, row.description, file: file, line: row.line)
                XCTAssertEqual(decision.accessDenied.code, .accessDenied, file: file, line: row.line)
            }
            XCTAssertFalse(decision.shortTrace.contains("\n"), file: file, line: row.line)
        }
    }

    // MARK: - orga-server

    func testOrgaServerUserPolicy() throws {
        let policy = IdentityPolicy(
            name: "user opev_user: user-policy",
            document: try PolicyDocument(parsing: try Fixture.text("orga-server/user-policy.json"), kind: .identityPolicy))
        let setup = Setup(identityPolicies: ["opev_user": [policy]], bucketPolicies: [:], publicAccessBlocks: [:])
        let user = iamUser("opev_user")
        let object = "arn:aws:s3:::opevbucketname/users/1/avatar"
        check(
            [
                Row(description: "PutObject users/1/avatar", principal: user, action: "s3:PutObject", resource: object, allowed: true),
                Row(description: "GetObject users/1/avatar", principal: user, action: "s3:GetObject", resource: object, allowed: true),
                Row(description: "DeleteObject users/1/avatar", principal: user, action: "s3:DeleteObject", resource: object, allowed: true),
                Row(description: "PutObject events/7/sessions/3/audio", principal: user, action: "s3:PutObject",
                    resource: "arn:aws:s3:::opevbucketname/events/7/sessions/3/audio", allowed: true),
                Row(description: "ListObjectsV2", principal: user, action: "s3:ListBucket",
                    resource: "arn:aws:s3:::opevbucketname", allowed: true),
                Row(description: "GetBucketLocation", principal: user, action: "s3:GetBucketLocation",
                    resource: "arn:aws:s3:::opevbucketname", allowed: true),
                Row(description: "ListBuckets", principal: user, action: "s3:ListAllMyBuckets",
                    resource: AuthorizationRequest.accountLevelResource, allowed: true),
                Row(description: "PutBucketPolicy", principal: user, action: "s3:PutBucketPolicy",
                    resource: "arn:aws:s3:::opevbucketname", allowed: false,
                    message: noIdentityPolicyAllows("opev_user", "s3:PutBucketPolicy", "arn:aws:s3:::opevbucketname")),
                Row(description: "DeleteBucket", principal: user, action: "s3:DeleteBucket",
                    resource: "arn:aws:s3:::opevbucketname", allowed: false,
                    message: noIdentityPolicyAllows("opev_user", "s3:DeleteBucket", "arn:aws:s3:::opevbucketname")),
                Row(description: "PutObject into another bucket", principal: user, action: "s3:PutObject",
                    resource: "arn:aws:s3:::other-bucket/users/1/avatar", allowed: false,
                    message: noIdentityPolicyAllows("opev_user", "s3:PutObject", "arn:aws:s3:::other-bucket/users/1/avatar")),
                Row(description: "anonymous GetObject", principal: .anonymous, action: "s3:GetObject", resource: object,
                    allowed: false, message: "Access Denied"),
            ], setup)
    }

    // MARK: - djave-photos

    func djaveSetup() throws -> Setup {
        let steve = IdentityPolicy(
            name: "user steve: user-policy",
            document: try PolicyDocument(parsing: try Fixture.text("djave-photos/user-policy.json"), kind: .identityPolicy))
        // The application's "more targeted example": s3:* on the bucket ARN only.
        let narrow = try identityPolicy(
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::steves-public-bucket"}]}"#,
            name: "user steve-narrow: targeted-policy")
        let publicPolicy = try bucketPolicy(
            try Fixture.text("djave-photos/public-bucket-policy.json"), bucket: "steves-public-bucket")
        return Setup(
            identityPolicies: ["steve": [steve], "steve-narrow": [narrow]],
            bucketPolicies: ["steves-public-bucket": publicPolicy],
            publicAccessBlocks: ["steves-public-bucket": .noneBlocked, "steves-private-bucket": .allBlocked])
    }

    func testDjavePhotosPublicAndPrivateBuckets() throws {
        let setup = try djaveSetup()
        let narrow = iamUser("steve-narrow")
        check(
            [
                Row(description: "anonymous GetObject in the public bucket", principal: .anonymous, action: "s3:GetObject",
                    resource: "arn:aws:s3:::steves-public-bucket/uploads/cat.jpg", allowed: true),
                Row(description: "anonymous GetObject in the private bucket", principal: .anonymous, action: "s3:GetObject",
                    resource: "arn:aws:s3:::steves-private-bucket/cat.jpg", allowed: false, message: "Access Denied"),
                Row(description: "anonymous ListObjectsV2 of the public bucket", principal: .anonymous,
                    action: "s3:ListBucket", resource: "arn:aws:s3:::steves-public-bucket", allowed: false,
                    message: "Access Denied"),
                Row(description: "steve's presigned POST stores uploads/photo.jpg", principal: iamUser("steve"),
                    action: "s3:PutObject", resource: "arn:aws:s3:::steves-public-bucket/uploads/photo.jpg", allowed: true),
                Row(description: "steve writes to the private bucket", principal: iamUser("steve"),
                    action: "s3:PutObject", resource: "arn:aws:s3:::steves-private-bucket/photo.jpg", allowed: true),
                Row(description: "steve-narrow PutObject photo.jpg", principal: narrow, action: "s3:PutObject",
                    resource: "arn:aws:s3:::steves-public-bucket/photo.jpg", allowed: false,
                    message: noIdentityPolicyAllows("steve-narrow", "s3:PutObject", "arn:aws:s3:::steves-public-bucket/photo.jpg")),
                Row(description: "steve-narrow ListObjectsV2", principal: narrow, action: "s3:ListBucket",
                    resource: "arn:aws:s3:::steves-public-bucket", allowed: true),
            ], setup)
    }

    func testDjavePhotosAnonymousReadIsGrantedByThePublicReadStatement() throws {
        let setup = try djaveSetup()
        let decision = setup.decide(
            Row(description: "", principal: .anonymous, action: "s3:GetObject",
                resource: "arn:aws:s3:::steves-public-bucket/a.jpg", allowed: true))
        XCTAssertEqual(
            decision.kind,
            .allowed(by: .statement(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: "PublicRead"))))
        XCTAssertEqual(decision.shortTrace, "allowed by bucket policy statement PublicRead")
    }

    func testDjavePhotosNarrowPolicyDenialExplainsTheBucketARN() throws {
        let setup = try djaveSetup()
        let decision = setup.decide(
            Row(description: "", principal: iamUser("steve-narrow"), action: "s3:PutObject",
                resource: "arn:aws:s3:::steves-public-bucket/photo.jpg", allowed: false))
        XCTAssertTrue(
            decision.trace.contains(
                "  statement #1 (Allow): action matched; resource arn:aws:s3:::steves-public-bucket/photo.jpg "
                    + "not in Resource [arn:aws:s3:::steves-public-bucket]"), decision.trace.joined(separator: "\n"))
        XCTAssertTrue(decision.shortTrace.contains("identity \"user steve-narrow: targeted-policy\" #1: resource not matched"))
        // The public bucket policy grants GetObject only, which PutObject is not: it is no near miss.
        XCTAssertFalse(decision.shortTrace.contains("bucket policy PublicRead"))
    }

    func testDjavePhotosPublicPolicyIsRefusedWhileBlockPublicPolicyIsOn() throws {
        let setup = try djaveSetup()
        let policy = try XCTUnwrap(setup.bucketPolicies["steves-public-bucket"])
        XCTAssertTrue(policy.isPublic)
        let request = authorizationRequest(iamUser("steve"), "s3:PutBucketPolicy", "arn:aws:s3:::steves-public-bucket")
        XCTAssertNil(PolicyEvaluator().blockPublicPolicyDenial(for: policy, request: request, publicAccessBlock: .noneBlocked))
        let denial = try XCTUnwrap(
            PolicyEvaluator().blockPublicPolicyDenial(for: policy, request: request, publicAccessBlock: .allBlocked))
        XCTAssertFalse(denial.allowed)
        XCTAssertEqual(
            denial.message,
            "User: arn:aws:iam::123456789012:user/steve is not authorized to perform: s3:PutBucketPolicy on resource: "
                + "\"arn:aws:s3:::steves-public-bucket\" because public policies are blocked by the BlockPublicPolicy "
                + "block public access setting.")
    }

    // MARK: - triage-attachments

    func testTriageAttachments() throws {
        let app = IdentityPolicy(
            name: "user triage-app: user-policy",
            document: try PolicyDocument(
                parsing: try Fixture.text("triage-attachments/user-policy.json"), kind: .identityPolicy))
        let policy = try bucketPolicy(
            try Fixture.text("triage-attachments/bucket-policy.json"), bucket: "triage-attachments")
        let setup = Setup(
            identityPolicies: ["triage-app": [app]], bucketPolicies: ["triage-attachments": policy],
            publicAccessBlocks: ["triage-attachments": .noneBlocked])
        let user = iamUser("triage-app")
        let object = "arn:aws:s3:::triage-attachments/tickets/42/log.txt"
        check(
            [
                Row(description: "PutObject", principal: user, action: "s3:PutObject", resource: object, allowed: true),
                Row(description: "DeleteObject", principal: user, action: "s3:DeleteObject", resource: object, allowed: true),
                Row(description: "GetObject through the bucket policy", principal: user, action: "s3:GetObject",
                    resource: object, allowed: true),
                Row(description: "ListObjectsV2", principal: user, action: "s3:ListBucket",
                    resource: "arn:aws:s3:::triage-attachments", allowed: false,
                    message: noIdentityPolicyAllows("triage-app", "s3:ListBucket", "arn:aws:s3:::triage-attachments")),
                Row(description: "anonymous GetObject", principal: .anonymous, action: "s3:GetObject", resource: object,
                    allowed: true),
                Row(description: "anonymous PutObject", principal: .anonymous, action: "s3:PutObject", resource: object,
                    allowed: false, message: "Access Denied"),
            ], setup)
        let read = setup.decide(Row(description: "", principal: user, action: "s3:GetObject", resource: object, allowed: true))
        XCTAssertEqual(
            read.kind, .allowed(by: .statement(StatementReference(policy: .bucketPolicy, statementIndex: 0, sid: nil))))
    }

    func testTriageAttachmentsAnonymousReadIsBlockedWhileRestrictPublicBucketsIsOn() throws {
        let policy = try bucketPolicy(
            try Fixture.text("triage-attachments/bucket-policy.json"), bucket: "triage-attachments")
        let setup = Setup(
            identityPolicies: [:], bucketPolicies: ["triage-attachments": policy],
            publicAccessBlocks: ["triage-attachments": .allBlocked])
        let decision = setup.decide(
            Row(description: "", principal: .anonymous, action: "s3:GetObject",
                resource: "arn:aws:s3:::triage-attachments/tickets/42/log.txt", allowed: false))
        XCTAssertFalse(decision.allowed)
        guard case .publicAccessBlocked = decision.kind else { return XCTFail("\(decision.kind)") }
        XCTAssertEqual(decision.message, "Access Denied")
        XCTAssertTrue(decision.shortTrace.contains("RestrictPublicBuckets"))
    }

    // MARK: - dtool-datasets

    func dtoolSetup(addingVersion: Bool) throws -> Setup {
        var text = try Fixture.text("dtool-datasets/user-policy.json")
        if addingVersion {
            let brace = try XCTUnwrap(text.firstIndex(of: "{"))
            text.insert(contentsOf: #""Version": "2012-10-17","#, at: text.index(after: brace))
        }
        let document = try PolicyDocument(parsing: text, kind: .identityPolicy)
        XCTAssertEqual(document.variablesEnabled, addingVersion)
        return Setup(
            identityPolicies: [
                "olssont": [IdentityPolicy(name: "user olssont: user-policy", document: document)],
                "bob": [IdentityPolicy(name: "user bob: user-policy", document: document)],
            ], bucketPolicies: [:], publicAccessBlocks: [:])
    }

    func testDtoolDatasetsPolicyAsPublished() throws {
        let setup = try dtoolSetup(addingVersion: false)
        let olssont = iamUser("olssont")
        let readme = "arn:aws:s3:::my-bucket/u/olssont/ds1/README.yml"
        check(
            [
                Row(description: "GetObject", principal: olssont, action: "s3:GetObject",
                    resource: "arn:aws:s3:::my-bucket/u/bob/ds9/data.csv", allowed: true),
                Row(description: "ListObjectsV2", principal: olssont, action: "s3:ListBucket",
                    resource: "arn:aws:s3:::my-bucket", allowed: true),
                Row(description: "ListObjectVersions", principal: olssont, action: "s3:ListBucketVersions",
                    resource: "arn:aws:s3:::my-bucket", allowed: true),
                Row(description: "GetObjectTagging", principal: olssont, action: "s3:GetObjectTagging",
                    resource: "arn:aws:s3:::my-bucket/dtool-1234", allowed: true),
                Row(description: "ListBuckets", principal: olssont, action: "s3:ListAllMyBuckets",
                    resource: AuthorizationRequest.accountLevelResource, allowed: true),
                Row(description: "PutObject a registration key", principal: olssont, action: "s3:PutObject",
                    resource: "arn:aws:s3:::my-bucket/dtool-1234", allowed: true),
                Row(description: "PutObject under u/olssont/", principal: olssont, action: "s3:PutObject", resource: readme,
                    allowed: false, message: noIdentityPolicyAllows("olssont", "s3:PutObject", readme)),
                // Without a Version, the resource names the literal key prefix "u/${aws:username}/".
                Row(description: "PutObject under the literal u/${aws:username}/", principal: olssont,
                    action: "s3:PutObject", resource: "arn:aws:s3:::my-bucket/u/${aws:username}/x", allowed: true),
            ], setup)
    }

    func testDtoolDatasetsDenialSaysTheVariableIsLiteralText() throws {
        let setup = try dtoolSetup(addingVersion: false)
        let decision = setup.decide(
            Row(description: "", principal: iamUser("olssont"), action: "s3:PutObject",
                resource: "arn:aws:s3:::my-bucket/u/olssont/ds1/README.yml", allowed: false))
        let expected = "statement AllowPartialWriteAccess: resource arn:aws:s3:::my-bucket/u/${aws:username}/* "
            + "is literal text because the policy has no Version 2012-10-17"
        XCTAssertTrue(decision.trace.contains("  " + expected), decision.trace.joined(separator: "\n"))
        XCTAssertTrue(
            decision.trace.contains("identity-based policy \"user olssont: user-policy\" (no Version: policy variables are literal text)"))
        XCTAssertTrue(decision.shortTrace.contains(
            "identity \"user olssont: user-policy\" AllowPartialWriteAccess: resource arn:aws:s3:::my-bucket/u/${aws:username}/* "
                + "is literal text because the policy has no Version 2012-10-17"), decision.shortTrace)
        XCTAssertTrue(decision.shortTrace.hasPrefix("implicit deny: "))
    }

    func testDtoolDatasetsWithVersionAdded() throws {
        let setup = try dtoolSetup(addingVersion: true)
        let olssont = iamUser("olssont")
        check(
            [
                Row(description: "PutObject under u/olssont/", principal: olssont, action: "s3:PutObject",
                    resource: "arn:aws:s3:::my-bucket/u/olssont/ds1/README.yml", allowed: true),
                Row(description: "DeleteObject under u/olssont/", principal: olssont, action: "s3:DeleteObject",
                    resource: "arn:aws:s3:::my-bucket/u/olssont/ds1/README.yml", allowed: true),
                Row(description: "PutObject u/bob/x", principal: olssont, action: "s3:PutObject",
                    resource: "arn:aws:s3:::my-bucket/u/bob/x", allowed: false,
                    message: noIdentityPolicyAllows("olssont", "s3:PutObject", "arn:aws:s3:::my-bucket/u/bob/x")),
                Row(description: "DeleteObject u/bob/x", principal: olssont, action: "s3:DeleteObject",
                    resource: "arn:aws:s3:::my-bucket/u/bob/x", allowed: false,
                    message: noIdentityPolicyAllows("olssont", "s3:DeleteObject", "arn:aws:s3:::my-bucket/u/bob/x")),
                Row(description: "bob PutObject u/bob/x", principal: iamUser("bob"), action: "s3:PutObject",
                    resource: "arn:aws:s3:::my-bucket/u/bob/x", allowed: true),
                Row(description: "PutObject under the literal u/${aws:username}/", principal: olssont,
                    action: "s3:PutObject", resource: "arn:aws:s3:::my-bucket/u/${aws:username}/x", allowed: false),
            ], setup)
        let decision = setup.decide(
            Row(description: "", principal: olssont, action: "s3:PutObject", resource: "arn:aws:s3:::my-bucket/u/bob/x",
                allowed: false))
        XCTAssertTrue(
            decision.trace.contains(
                "  statement AllowPartialWriteAccess: resource arn:aws:s3:::my-bucket/u/${aws:username}/* → "
                    + "arn:aws:s3:::my-bucket/u/olssont/*"), decision.trace.joined(separator: "\n"))
    }

    // MARK: - shift-media

    func shiftSetup() throws -> Setup {
        let group = IdentityPolicy(
            name: "group media-uploaders: group-policy",
            document: try PolicyDocument(parsing: try Fixture.text("shift-media/group-policy.json"), kind: .identityPolicy))
        let policy = try bucketPolicy(try Fixture.text("shift-media/bucket-policy.json"), bucket: "shift-media-bucket")
        return Setup(
            identityPolicies: ["shift": [group]], bucketPolicies: ["shift-media-bucket": policy],
            publicAccessBlocks: ["shift-media-bucket": .noneBlocked])
    }

    func testShiftMediaGroupPermissions() throws {
        let setup = try shiftSetup()
        let shift = iamUser("shift", groups: ["media-uploaders"])
        let object = "arn:aws:s3:::shift-media-bucket/library/clip.mp4"
        check(
            [
                Row(description: "PutObject", principal: shift, action: "s3:PutObject", resource: object, allowed: true),
                Row(description: "DeleteObject", principal: shift, action: "s3:DeleteObject", resource: object, allowed: true),
                Row(description: "PutBucketPolicy", principal: shift, action: "s3:PutBucketPolicy",
                    resource: "arn:aws:s3:::shift-media-bucket", allowed: true),
                Row(description: "ListBuckets", principal: shift, action: "s3:ListAllMyBuckets",
                    resource: AuthorizationRequest.accountLevelResource, allowed: true),
                Row(description: "PutObject into another bucket", principal: shift, action: "s3:PutObject",
                    resource: "arn:aws:s3:::another-bucket/clip.mp4", allowed: false,
                    message: noIdentityPolicyAllows("shift", "s3:PutObject", "arn:aws:s3:::another-bucket/clip.mp4")),
                Row(description: "anonymous GetObject", principal: .anonymous, action: "s3:GetObject", resource: object,
                    allowed: true),
            ], setup)
        let put = setup.decide(
            Row(description: "", principal: shift, action: "s3:PutObject", resource: object, allowed: true))
        XCTAssertEqual(
            put.kind,
            .allowed(by: .statement(StatementReference(
                policy: .identityPolicy(name: "group media-uploaders: group-policy"), statementIndex: 1, sid: nil))))
    }

    func testShiftMediaPublicPolicyIsRefusedWhileBlockPublicPolicyIsOn() throws {
        let setup = try shiftSetup()
        let policy = try XCTUnwrap(setup.bucketPolicies["shift-media-bucket"])
        XCTAssertTrue(policy.isPublic)
        XCTAssertNil(policy.version)
        let request = authorizationRequest(
            iamUser("shift", groups: ["media-uploaders"]), "s3:PutBucketPolicy", "arn:aws:s3:::shift-media-bucket")
        XCTAssertTrue(PolicyEvaluator().evaluate(request, identityPolicies: setup.identityPolicies["shift"] ?? [],
                                                 bucketPolicy: nil).allowed)
        let denial = try XCTUnwrap(
            PolicyEvaluator().blockPublicPolicyDenial(
                for: policy, request: request,
                publicAccessBlock: PublicAccessBlockConfiguration(blockPublicPolicy: true)))
        XCTAssertEqual(denial.accessDenied.code, .accessDenied)
        XCTAssertEqual(
            denial.message,
            "User: arn:aws:iam::123456789012:user/shift is not authorized to perform: s3:PutBucketPolicy on resource: "
                + "\"arn:aws:s3:::shift-media-bucket\" because public policies are blocked by the BlockPublicPolicy "
                + "block public access setting.")
    }

    // MARK: - Fixtures

    func testEveryScenarioBucketPolicyIsValidForItsBucket() throws {
        let policies = [
            ("djave-photos/public-bucket-policy.json", "steves-public-bucket"),
            ("triage-attachments/bucket-policy.json", "triage-attachments"),
            ("shift-media/bucket-policy.json", "shift-media-bucket"),
        ]
        for (path, bucket) in policies {
            let policy = try bucketPolicy(try Fixture.text(path), bucket: bucket)
            XCTAssertTrue(policy.isPublic, path)
            assertMalformed(
                try Fixture.text(path), kind: .bucketPolicy(bucket: "some-other-bucket"),
                message: MalformedPolicyMessage.invalidResource)
        }
    }

    func testFixturesMatchTheSharedScenarioFilesWhenTheyAreBesideTheRepository() throws {
        let shared = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../../../shared/scenarios").standardized
        guard FileManager.default.fileExists(atPath: shared.path) else {
            throw XCTSkip("shared/scenarios is not beside the repository")
        }
        let paths = try Fixture.allPaths()
        XCTAssertEqual(paths.count, 8)
        for path in paths {
            let copy = try Fixture.text(path)
            let original = try String(contentsOf: shared.appendingPathComponent(path), encoding: .utf8)
            XCTAssertEqual(copy, original, path)
        }
    }
}
