import XCTest

@testable import S3EmulatorAccess

/// Policy variables: `${aws:username}` and the other request keys, `${*}`, `${?}`, `${$}`,
/// `${key, 'default'}` — only under Version 2012-10-17; under 2008-10-17 or without a Version
/// they are literal text.
final class PolicyVariableTests: XCTestCase {
    struct Case {
        var version: String?
        var resource: String
        var principal: Principal
        var requested: String
        var keys: [String: [String]] = [:]
        var allowed: Bool
        var line: UInt = #line
    }

    func allowed(_ item: Case) throws -> Bool {
        let version = item.version.map { #""Version":"\#($0)","# } ?? ""
        let statement = #"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"\#(item.resource)"}"#
        let policy = try bucketPolicy(#"{\#(version)"Statement":[\#(statement)]}"#, bucket: "b")
        let request = authorizationRequest(item.principal, "s3:GetObject", item.requested, keys: item.keys)
        return PolicyEvaluator().evaluate(request, identityPolicies: [], bucketPolicy: policy).allowed
    }

    func check(_ cases: [Case], file: StaticString = #filePath) throws {
        for item in cases {
            XCTAssertEqual(
                try allowed(item), item.allowed, "\(item.version ?? "no Version") \(item.resource) for \(item.requested)",
                file: file, line: item.line)
        }
    }

    let steve = iamUser("steve")

    func testUsernameVariable() throws {
        let home = "arn:aws:s3:::b/home/${aws:username}/*"
        try check([
            Case(version: "2012-10-17", resource: home, principal: steve, requested: "arn:aws:s3:::b/home/steve/x", allowed: true),
            Case(version: "2012-10-17", resource: home, principal: steve, requested: "arn:aws:s3:::b/home/bob/x", allowed: false),
            Case(version: "2012-10-17", resource: home, principal: steve,
                 requested: "arn:aws:s3:::b/home/${aws:username}/x", allowed: false),
            // Anonymous requests have no aws:username: the resource matches nothing.
            Case(version: "2012-10-17", resource: home, principal: .anonymous,
                 requested: "arn:aws:s3:::b/home/${aws:username}/x", allowed: false),
            Case(version: "2008-10-17", resource: home, principal: steve, requested: "arn:aws:s3:::b/home/steve/x", allowed: false),
            Case(version: "2008-10-17", resource: home, principal: steve,
                 requested: "arn:aws:s3:::b/home/${aws:username}/x", allowed: true),
            Case(version: nil, resource: home, principal: steve, requested: "arn:aws:s3:::b/home/steve/x", allowed: false),
            Case(version: nil, resource: home, principal: steve,
                 requested: "arn:aws:s3:::b/home/${aws:username}/x", allowed: true),
        ])
    }

    func testOtherRequestKeysAsVariables() throws {
        try check([
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:userid}/*", principal: steve,
                 requested: "arn:aws:s3:::b/AIDASTEVEEXAMPLE/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:PrincipalType}/*", principal: steve,
                 requested: "arn:aws:s3:::b/User/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:PrincipalType}/*", principal: .anonymous,
                 requested: "arn:aws:s3:::b/Anonymous/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${AWS:USERNAME}/*", principal: steve,
                 requested: "arn:aws:s3:::b/steve/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${s3:prefix}*", principal: steve,
                 requested: "arn:aws:s3:::b/photos/1.jpg", keys: ["s3:prefix": ["photos/"]], allowed: true),
            // A substituted value is literal: its `*` is no wildcard.
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:Referer}", principal: steve,
                 requested: "arn:aws:s3:::b/anything", keys: ["aws:Referer": ["*"]], allowed: false),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:Referer}", principal: steve,
                 requested: "arn:aws:s3:::b/*", keys: ["aws:Referer": ["*"]], allowed: true),
        ])
    }

    func testSpecialCharacterVariables() throws {
        try check([
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/literal${*}star", principal: steve,
                 requested: "arn:aws:s3:::b/literal*star", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/literal${*}star", principal: steve,
                 requested: "arn:aws:s3:::b/literalXstar", allowed: false),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/what${?}", principal: steve,
                 requested: "arn:aws:s3:::b/what?", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/what${?}", principal: steve,
                 requested: "arn:aws:s3:::b/whatX", allowed: false),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/cost${$}", principal: steve,
                 requested: "arn:aws:s3:::b/cost$", allowed: true),
            Case(version: "2008-10-17", resource: "arn:aws:s3:::b/cost${$}", principal: steve,
                 requested: "arn:aws:s3:::b/cost${$}", allowed: true),
            Case(version: "2008-10-17", resource: "arn:aws:s3:::b/cost${$}", principal: steve,
                 requested: "arn:aws:s3:::b/cost$", allowed: false),
            // Under 2008-10-17 the `*` inside `${*}` is still a wildcard of the literal text.
            Case(version: "2008-10-17", resource: "arn:aws:s3:::b/a${*}", principal: steve,
                 requested: "arn:aws:s3:::b/a${xyz}", allowed: true),
        ])
    }

    func testDefaultValues() throws {
        try check([
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username, 'public'}/*", principal: .anonymous,
                 requested: "arn:aws:s3:::b/public/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username, 'public'}/*", principal: steve,
                 requested: "arn:aws:s3:::b/steve/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username, 'public'}/*", principal: steve,
                 requested: "arn:aws:s3:::b/public/x", allowed: false),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username,'public'}/*", principal: .anonymous,
                 requested: "arn:aws:s3:::b/public/x", allowed: true),
            Case(version: "2012-10-17", resource: "arn:aws:s3:::b/${aws:username, ''}x", principal: .anonymous,
                 requested: "arn:aws:s3:::b/x", allowed: true),
            Case(version: "2008-10-17", resource: "arn:aws:s3:::b/${aws:username, 'public'}/*", principal: .anonymous,
                 requested: "arn:aws:s3:::b/public/x", allowed: false),
        ])
    }

    func testVariablesInConditions() throws {
        func listAllowed(version: String, prefix: String) throws -> Bool {
            let policy = try identityPolicy(
                #"{"Version":"\#(version)","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","#
                    + #""Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}}}"#)
            let request = authorizationRequest(steve, "s3:ListBucket", "arn:aws:s3:::b", keys: ["s3:prefix": [prefix]])
            return PolicyEvaluator().evaluate(request, identityPolicies: [policy], bucketPolicy: nil).allowed
        }
        XCTAssertTrue(try listAllowed(version: "2012-10-17", prefix: "home/steve/docs"))
        XCTAssertFalse(try listAllowed(version: "2012-10-17", prefix: "home/bob/docs"))
        XCTAssertFalse(try listAllowed(version: "2008-10-17", prefix: "home/steve/docs"))
        XCTAssertTrue(try listAllowed(version: "2008-10-17", prefix: "home/${aws:username}/docs"))

        let equals = try identityPolicy(
            #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","#
                + #""Condition":{"StringEquals":{"s3:ExistingObjectTag/owner":"${aws:username}"}}}}"#)
        func owned(by owner: String) -> Bool {
            let request = authorizationRequest(
                steve, "s3:GetObject", "arn:aws:s3:::b/k", keys: ["s3:ExistingObjectTag/owner": [owner]])
            return PolicyEvaluator().evaluate(request, identityPolicies: [equals], bucketPolicy: nil).allowed
        }
        XCTAssertTrue(owned(by: "steve"))
        XCTAssertFalse(owned(by: "bob"))
    }

    func testTemplateParts() {
        let template = PolicyTemplate("a/${aws:username}/${*}${?}${$}/${s3:prefix, 'none'}/${unclosed", variablesEnabled: true)
        XCTAssertTrue(template.hasVariables)
        XCTAssertEqual(template.variableNames, ["aws:username", "s3:prefix"])
        XCTAssertFalse(template.containsLiteralVariableSyntax)
        let request = authorizationRequest(iamUser("steve"), "s3:GetObject", "arn:aws:s3:::b/k")
        XCTAssertEqual(template.resolved(in: request), "a/steve/*?$/none/${unclosed")
        let literal = PolicyTemplate("a/${aws:username}", variablesEnabled: false)
        XCTAssertFalse(literal.hasVariables)
        XCTAssertTrue(literal.containsLiteralVariableSyntax)
        XCTAssertEqual(literal.resolved(in: request), "a/${aws:username}")
        XCTAssertNil(PolicyTemplate("${aws:username}", variablesEnabled: true).resolved(in: authorizationRequest(
            .anonymous, "s3:GetObject", "arn:aws:s3:::b/k")))
    }
}
