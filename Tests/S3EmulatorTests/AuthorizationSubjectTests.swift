import S3EmulatorAccess
import Synchronization
import XCTest

@testable import S3Emulator

/// What one request's authorization checks share: condition keys built only when a policy can
/// read them, and compiled bucket settings that no configuration change leaves stale.
final class AuthorizationSubjectTests: XCTestCase {
    private static let allowAll = #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#

    private static let alice = Principal.user(
        name: "alice", userID: "AIDAALICE", account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", groups: []
    )

    private func subject(_ principal: Principal, policies: [IdentityPolicy] = [], builds: Counter) -> AuthorizationSubject {
        AuthorizationSubject(identity: .init(principal: principal, policies: policies)) {
            builds.count.add(1, ordering: .relaxed)
            return ["aws:SourceIp": ["127.0.0.1"]]
        }
    }

    func testConditionKeysAreBuiltOnceAndOnlyWhenAsked() {
        let builds = Counter()
        let subject = subject(.root(account: "123456789012"), builds: builds)
        XCTAssertEqual(builds.count.load(ordering: .relaxed), 0)
        XCTAssertEqual(subject.conditionKeys["aws:SourceIp"], ["127.0.0.1"])
        XCTAssertEqual(subject.conditionKeys["aws:SourceIp"], ["127.0.0.1"])
        XCTAssertEqual(builds.count.load(ordering: .relaxed), 1)
    }

    func testStatementsAreEvaluatedWhenABucketPolicyOrAUsersPolicyExists() throws {
        let builds = Counter()
        let bucketPolicy = try PolicyDocument(
            parsing: #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#,
            kind: .bucketPolicy(bucket: "b")
        )
        let userPolicy = IdentityPolicy(name: "all", document: try PolicyDocument(parsing: Self.allowAll, kind: .identityPolicy))

        XCTAssertFalse(subject(.root(account: "123456789012"), builds: builds).evaluatesStatements(bucketPolicy: nil))
        XCTAssertFalse(subject(.anonymous, builds: builds).evaluatesStatements(bucketPolicy: nil))
        XCTAssertFalse(subject(Self.alice, builds: builds).evaluatesStatements(bucketPolicy: nil), "a user with no policy: implicit deny")
        XCTAssertTrue(subject(Self.alice, policies: [userPolicy], builds: builds).evaluatesStatements(bucketPolicy: nil))
        XCTAssertTrue(subject(.anonymous, builds: builds).evaluatesStatements(bucketPolicy: bucketPolicy))
        XCTAssertTrue(subject(.root(account: "123456789012"), builds: builds).evaluatesStatements(bucketPolicy: bucketPolicy))
        XCTAssertEqual(builds.count.load(ordering: .relaxed), 0)
    }

    func testASettingsLoadThatAnInvalidationOvertookIsNotKept() {
        let cache = BucketSettingsCache()
        let stale = BucketSettings(objectOwnership: "ObjectWriter")
        // The load read the old configuration; a PutBucketOwnershipControls committed and
        // invalidated before the load finished.
        let first = cache.settings(for: "b") {
            cache.invalidate("b")
            return stale
        }
        XCTAssertEqual(first.objectOwnership, "ObjectWriter", "the request that loaded it still uses what it read")
        var loads = 0
        let second = cache.settings(for: "b") {
            loads += 1
            return BucketSettings(objectOwnership: "BucketOwnerEnforced")
        }
        XCTAssertEqual(loads, 1, "the overtaken load was not cached")
        XCTAssertEqual(second.objectOwnership, "BucketOwnerEnforced")
        XCTAssertEqual(cache.settings(for: "b") { stale }.objectOwnership, "BucketOwnerEnforced", "a load that nothing overtook is kept")
    }
}

/// Counts the builds of a subject's condition keys.
private final class Counter: Sendable {
    let count = Atomic<Int>(0)
}
