import Foundation
import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// The one account of the tests.
let testAccount = "123456789012"

/// An IAM user of the test account.
func iamUser(_ name: String, groups: [String] = [], account: String = testAccount) -> Principal {
    .user(
        name: name, userID: "AIDA\(name.uppercased())EXAMPLE", account: account,
        arn: "arn:aws:iam::\(account):user/\(name)", groups: groups)
}

let rootUser = Principal.root(account: testAccount)

/// A request of the test account's bucket.
func authorizationRequest(
    _ principal: Principal, _ action: String, _ resource: String, keys: [String: [String]] = [:],
    canonicalUserID: String? = nil
) -> AuthorizationRequest {
    AuthorizationRequest(
        principal: principal, action: action, resource: resource, bucketOwnerAccount: testAccount,
        conditionKeys: keys, canonicalUserID: canonicalUserID)
}

func bucketPolicy(_ json: String, bucket: String) throws -> PolicyDocument {
    try PolicyDocument(parsing: json, kind: .bucketPolicy(bucket: bucket))
}

func identityPolicy(_ json: String, name: String = "policy") throws -> IdentityPolicy {
    IdentityPolicy(name: name, document: try PolicyDocument(parsing: json, kind: .identityPolicy))
}

/// The policy files the scenario applications publish, copied from shared/scenarios.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func text(_ path: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every fixture file, as a path relative to ``directory``.
    static func allPaths() throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".json") { paths.append(path) }
        }
        return paths.sorted()
    }
}

/// Asserts that parsing `json` fails with MalformedPolicy and `message`.
func assertMalformed(
    _ json: String, kind: PolicyDocument.Kind = .bucketPolicy(bucket: "b"), message: String,
    principalExists: (@Sendable (String) -> Bool)? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try PolicyDocument(parsing: json, kind: kind, principalExists: principalExists)
        XCTFail("expected MalformedPolicy \(message)", file: file, line: line)
    } catch let error as S3Error {
        XCTAssertEqual(error.code, .malformedPolicy, file: file, line: line)
        XCTAssertEqual(error.message, message, "for \(json)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// The implicit-deny message AWS gives a user of the bucket owner's account.
func noIdentityPolicyAllows(_ user: String, _ action: String, _ resource: String) -> String {
    "User: arn:aws:iam::\(testAccount):user/\(user) is not authorized to perform: \(action) on resource: "
        + "\"\(resource)\" because no identity-based policy allows the \(action) action"
}
