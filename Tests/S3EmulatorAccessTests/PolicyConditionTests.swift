import Foundation
import XCTest

@testable import S3EmulatorAccess

/// Every condition operator, the `IfExists` forms, the set prefixes and the missing-key rules,
/// evaluated through an identity-based policy whose only statement carries the condition.
final class PolicyConditionTests: XCTestCase {
    struct Case {
        var condition: String
        var keys: [String: [String]]
        var holds: Bool
        var line: UInt = #line
    }

    /// Whether `condition` (the JSON of a `Condition` element) holds for a request with `keys`.
    func holds(_ condition: String, _ keys: [String: [String]], version: String = "2012-10-17") throws -> Bool {
        let policy = try identityPolicy(
            #"{"Version":"\#(version)","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":"#
                + condition + "}}")
        let request = authorizationRequest(iamUser("steve"), "s3:GetObject", "arn:aws:s3:::b/k", keys: keys)
        return PolicyEvaluator().evaluate(request, identityPolicies: [policy], bucketPolicy: nil).allowed
    }

    func check(_ cases: [Case], file: StaticString = #filePath) throws {
        for item in cases {
            XCTAssertEqual(
                try holds(item.condition, item.keys), item.holds, "\(item.condition) with \(item.keys)", file: file,
                line: item.line)
        }
    }

    func testStringOperators() throws {
        try check([
            Case(condition: #"{"StringEquals":{"s3:prefix":"home/"}}"#, keys: ["s3:prefix": ["home/"]], holds: true),
            Case(condition: #"{"StringEquals":{"s3:prefix":"home/"}}"#, keys: ["s3:prefix": ["Home/"]], holds: false),
            Case(condition: #"{"StringEquals":{"s3:prefix":"home/"}}"#, keys: [:], holds: false),
            Case(condition: #"{"StringEquals":{"s3:prefix":["a","b"]}}"#, keys: ["s3:prefix": ["b"]], holds: true),
            Case(condition: #"{"StringEquals":{"s3:prefix":"home/*"}}"#, keys: ["s3:prefix": ["home/x"]], holds: false),
            Case(condition: #"{"StringNotEquals":{"s3:prefix":["a","b"]}}"#, keys: ["s3:prefix": ["a"]], holds: false),
            Case(condition: #"{"StringNotEquals":{"s3:prefix":["a","b"]}}"#, keys: ["s3:prefix": ["c"]], holds: true),
            Case(condition: #"{"StringNotEquals":{"s3:prefix":"a"}}"#, keys: [:], holds: true),
            Case(condition: #"{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: ["s3:prefix": ["home/"]], holds: true),
            Case(condition: #"{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: ["s3:prefix": ["away/"]], holds: false),
            Case(condition: #"{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: [:], holds: false),
            Case(condition: #"{"StringNotEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: ["s3:prefix": ["home/"]], holds: false),
            Case(condition: #"{"StringNotEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: ["s3:prefix": ["x"]], holds: true),
            Case(condition: #"{"StringNotEqualsIgnoreCase":{"s3:prefix":"HOME/"}}"#, keys: [:], holds: true),
            Case(condition: #"{"StringLike":{"s3:prefix":"home/*"}}"#, keys: ["s3:prefix": ["home/x/y"]], holds: true),
            Case(condition: #"{"StringLike":{"s3:prefix":"h?me"}}"#, keys: ["s3:prefix": ["home"]], holds: true),
            Case(condition: #"{"StringLike":{"s3:prefix":"h?me"}}"#, keys: ["s3:prefix": ["hoome"]], holds: false),
            Case(condition: #"{"StringLike":{"s3:prefix":"home/*"}}"#, keys: ["s3:prefix": ["Home/x"]], holds: false),
            Case(condition: #"{"StringLike":{"s3:prefix":"home/*"}}"#, keys: [:], holds: false),
            Case(condition: #"{"StringNotLike":{"s3:prefix":"home/*"}}"#, keys: ["s3:prefix": ["other"]], holds: true),
            Case(condition: #"{"StringNotLike":{"s3:prefix":"home/*"}}"#, keys: ["s3:prefix": ["home/a"]], holds: false),
            Case(condition: #"{"StringNotLike":{"s3:prefix":"home/*"}}"#, keys: [:], holds: true),
        ])
    }

    func testNumericOperators() throws {
        try check([
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: true),
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10.0"]], holds: true),
            Case(condition: #"{"NumericEquals":{"s3:max-keys":10}}"#, keys: ["s3:max-keys": ["10"]], holds: true),
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["11"]], holds: false),
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["ten"]], holds: false),
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"10"}}"#, keys: [:], holds: false),
            Case(condition: #"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["11"]], holds: true),
            Case(condition: #"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: false),
            Case(condition: #"{"NumericNotEquals":{"s3:max-keys":"10"}}"#, keys: [:], holds: true),
            Case(condition: #"{"NumericLessThan":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["9"]], holds: true),
            Case(condition: #"{"NumericLessThan":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: false),
            Case(condition: #"{"NumericLessThan":{"s3:max-keys":"10"}}"#, keys: [:], holds: false),
            Case(condition: #"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: true),
            Case(condition: #"{"NumericLessThanEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10.5"]], holds: false),
            Case(condition: #"{"NumericGreaterThan":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["11"]], holds: true),
            Case(condition: #"{"NumericGreaterThan":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: false),
            Case(condition: #"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["10"]], holds: true),
            Case(condition: #"{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["9"]], holds: false),
            // A policy value that is not a number is kept (S3 stores it) but never matches.
            Case(condition: #"{"NumericEquals":{"s3:max-keys":"many"}}"#, keys: ["s3:max-keys": ["10"]], holds: false),
        ])
    }

    func testDateOperators() throws {
        let newYear = "2024-01-01T00:00:00Z"
        try check([
            Case(condition: #"{"DateLessThan":{"aws:CurrentTime":"\#(newYear)"}}"#,
                 keys: ["aws:CurrentTime": ["2023-12-31T23:59:59Z"]], holds: true),
            Case(condition: #"{"DateLessThan":{"aws:CurrentTime":"\#(newYear)"}}"#,
                 keys: ["aws:CurrentTime": [newYear]], holds: false),
            Case(condition: #"{"DateLessThan":{"aws:CurrentTime":"\#(newYear)"}}"#, keys: [:], holds: false),
            Case(condition: #"{"DateLessThanEquals":{"aws:CurrentTime":"\#(newYear)"}}"#,
                 keys: ["aws:CurrentTime": [newYear]], holds: true),
            Case(condition: #"{"DateEquals":{"aws:CurrentTime":"1704067200"}}"#,
                 keys: ["aws:CurrentTime": [newYear]], holds: true),
            Case(condition: #"{"DateEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
                 keys: ["aws:CurrentTime": [newYear]], holds: true),
            Case(condition: #"{"DateEquals":{"aws:CurrentTime":"2024-01-01T01:00:00+01:00"}}"#,
                 keys: ["aws:CurrentTime": [newYear]], holds: true),
            Case(condition: #"{"DateNotEquals":{"aws:CurrentTime":"\#(newYear)"}}"#,
                 keys: ["aws:CurrentTime": ["2024-01-02T00:00:00Z"]], holds: true),
            Case(condition: #"{"DateNotEquals":{"aws:CurrentTime":"\#(newYear)"}}"#, keys: [:], holds: true),
            Case(condition: #"{"DateGreaterThan":{"aws:EpochTime":"\#(newYear)"}}"#,
                 keys: ["aws:EpochTime": ["1704067201"]], holds: true),
            Case(condition: #"{"DateGreaterThan":{"aws:EpochTime":"\#(newYear)"}}"#,
                 keys: ["aws:EpochTime": ["1704067200"]], holds: false),
            Case(condition: #"{"DateGreaterThanEquals":{"aws:EpochTime":"\#(newYear)"}}"#,
                 keys: ["aws:EpochTime": ["1704067200"]], holds: true),
        ])
    }

    func testCurrentTimeIsFilledInFromTheClock() throws {
        let policy = try identityPolicy(
            #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","#
                + #""Condition":{"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}}}"#)
        func allowed(at seconds: Double) -> Bool {
            let request = AuthorizationRequest(
                principal: iamUser("steve"), action: "s3:GetObject", resource: "arn:aws:s3:::b/k",
                bucketOwnerAccount: testAccount, currentTime: Date(timeIntervalSince1970: seconds))
            return PolicyEvaluator().evaluate(request, identityPolicies: [policy], bucketPolicy: nil).allowed
        }
        XCTAssertTrue(allowed(at: 1_704_067_199))
        XCTAssertFalse(allowed(at: 1_704_067_200))
        let request = AuthorizationRequest(
            principal: .anonymous, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", bucketOwnerAccount: testAccount,
            currentTime: Date(timeIntervalSince1970: 1_704_067_200.5))
        XCTAssertEqual(request.values(forKey: "aws:CurrentTime"), ["2024-01-01T00:00:00Z"])
        XCTAssertEqual(request.values(forKey: "AWS:EPOCHTIME"), ["1704067200"])
    }

    func testBoolBinaryAndNullOperators() throws {
        try check([
            Case(condition: #"{"Bool":{"aws:SecureTransport":"true"}}"#, keys: ["aws:SecureTransport": ["true"]], holds: true),
            Case(condition: #"{"Bool":{"aws:SecureTransport":true}}"#, keys: ["aws:SecureTransport": ["true"]], holds: true),
            Case(condition: #"{"Bool":{"aws:SecureTransport":"true"}}"#, keys: ["aws:SecureTransport": ["false"]], holds: false),
            Case(condition: #"{"Bool":{"aws:SecureTransport":"false"}}"#, keys: [:], holds: false),
            Case(condition: #"{"BinaryEquals":{"aws:Key":"QmluYXJ5VmFsdWU="}}"#, keys: ["aws:Key": ["QmluYXJ5VmFsdWU="]], holds: true),
            Case(condition: #"{"BinaryEquals":{"aws:Key":"QmluYXJ5VmFsdWU="}}"#, keys: ["aws:Key": ["b3RoZXI="]], holds: false),
            Case(condition: #"{"BinaryEquals":{"aws:Key":"QmluYXJ5VmFsdWU="}}"#, keys: [:], holds: false),
            Case(condition: #"{"Null":{"aws:SourceIp":"true"}}"#, keys: [:], holds: true),
            Case(condition: #"{"Null":{"aws:SourceIp":"true"}}"#, keys: ["aws:SourceIp": ["192.0.2.1"]], holds: false),
            Case(condition: #"{"Null":{"aws:SourceIp":false}}"#, keys: ["aws:SourceIp": ["192.0.2.1"]], holds: true),
            Case(condition: #"{"Null":{"aws:SourceIp":"false"}}"#, keys: [:], holds: false),
            Case(condition: #"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#,
                 keys: ["s3:x-amz-server-side-encryption": ["AES256"]], holds: false),
        ])
    }

    func testIPAddressOperators() throws {
        try check([
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: ["aws:SourceIp": ["203.0.113.7"]], holds: true),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: ["aws:SourceIp": ["203.0.114.1"]], holds: false),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: [:], holds: false),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}"#, keys: ["aws:SourceIp": ["192.0.2.1"]], holds: true),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"192.0.2.1"}}"#, keys: ["aws:SourceIp": ["192.0.2.2"]], holds: false),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#,
                 keys: ["aws:SourceIp": ["2001:db8:1::5"]], holds: true),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#, keys: ["aws:SourceIp": ["2001:db9::1"]], holds: false),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
                 keys: ["aws:SourceIp": ["::ffff:203.0.113.9"]], holds: true),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: ["aws:SourceIp": ["not-an-ip"]], holds: false),
            Case(condition: #"{"IpAddress":{"aws:SourceIp":[]}}"#, keys: ["aws:SourceIp": ["203.0.113.9"]], holds: false),
            Case(condition: #"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: ["aws:SourceIp": ["198.51.100.1"]], holds: true),
            Case(condition: #"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: ["aws:SourceIp": ["203.0.113.9"]], holds: false),
            Case(condition: #"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, keys: [:], holds: true),
        ])
    }

    func testARNOperators() throws {
        let user = "arn:aws:iam::123456789012:user/steve"
        try check([
            Case(condition: #"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
                 keys: ["aws:SourceArn": ["arn:aws:sns:us-east-1:123456789012:topic"]], holds: true),
            Case(condition: #"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
                 keys: ["aws:SourceArn": ["arn:aws:sns:us-east-1:123456789012:other"]], holds: false),
            Case(condition: #"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic"}}"#,
                 keys: ["aws:SourceArn": ["arn:aws:sns:eu-west-1:123456789012:topic"]], holds: true),
            Case(condition: #"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#, keys: [:], holds: true),
            Case(condition: #"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}"#, keys: [:], holds: false),
            Case(condition: #"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket/*"}}"#,
                 keys: ["aws:SourceArn": ["arn:aws:s3:::bucket/a:b"]], holds: true),
            Case(condition: #"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket/*"}}"#,
                 keys: ["aws:SourceArn": ["not-an-arn"]], holds: false),
            Case(condition: #"{"ArnNotEquals":{"aws:PrincipalArn":"\#(user)"}}"#, keys: [:], holds: false),
            Case(condition: #"{"ArnNotEquals":{"aws:SourceArn":"\#(user)"}}"#, keys: [:], holds: true),
            Case(condition: #"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/bob"}}"#, keys: [:], holds: true),
            Case(condition: #"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/s*"}}"#, keys: [:], holds: false),
        ])
    }

    func testIfExistsHoldsWhenTheKeyIsMissing() throws {
        try check([
            Case(condition: #"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, keys: [:], holds: true),
            Case(condition: #"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, keys: ["s3:x-amz-acl": ["public-read"]], holds: false),
            Case(condition: #"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#, keys: ["s3:x-amz-acl": ["private"]], holds: true),
            Case(condition: #"{"StringLikeIfExists":{"s3:prefix":"home/*"}}"#, keys: [:], holds: true),
            Case(condition: #"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#, keys: [:], holds: true),
            Case(condition: #"{"NumericLessThanIfExists":{"s3:max-keys":"10"}}"#, keys: ["s3:max-keys": ["100"]], holds: false),
            Case(condition: #"{"DateLessThanIfExists":{"aws:CurrentTime":"2024-01-01"}}"#, keys: [:], holds: true),
            Case(condition: #"{"BoolIfExists":{"aws:SecureTransport":"true"}}"#, keys: [:], holds: true),
            Case(condition: #"{"BoolIfExists":{"aws:SecureTransport":"true"}}"#, keys: ["aws:SecureTransport": ["false"]], holds: false),
            Case(condition: #"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#, keys: [:], holds: true),
            Case(condition: #"{"NotIpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#, keys: ["aws:SourceIp": ["10.1.2.3"]], holds: false),
            Case(condition: #"{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}"#, keys: [:], holds: true),
            Case(condition: #"{"BinaryEqualsIfExists":{"aws:Key":"QQ=="}}"#, keys: [:], holds: true),
        ])
    }

    func testSetOperators() throws {
        try check([
            Case(condition: #"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "b"]], holds: true),
            Case(condition: #"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["x"]], holds: false),
            Case(condition: #"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["b","c"]}}"#, keys: [:], holds: false),
            Case(condition: #"{"ForAnyValue:StringEqualsIfExists":{"s3:RequestObjectTagKeys":["b"]}}"#, keys: [:], holds: true),
            Case(condition: #"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a"]], holds: true),
            Case(condition: #"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "c"]], holds: false),
            Case(condition: #"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#, keys: [:], holds: true),
            Case(condition: #"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": []], holds: true),
            Case(condition: #"{"ForAllValues:StringNotEquals":{"s3:RequestObjectTagKeys":["a"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["b", "c"]], holds: true),
            Case(condition: #"{"ForAllValues:StringNotEquals":{"s3:RequestObjectTagKeys":["a"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "b"]], holds: false),
            Case(condition: #"{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "b"]], holds: true),
            Case(condition: #"{"ForAnyValue:StringNotEquals":{"s3:RequestObjectTagKeys":["a"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a"]], holds: false),
            Case(condition: #"{"ForAllValues:StringLike":{"s3:RequestObjectTagKeys":["dept*"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["dept-a", "dept"]], holds: true),
            Case(condition: #"{"ForAllValues:StringLike":{"s3:RequestObjectTagKeys":["dept*"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["dept-a", "team"]], holds: false),
            Case(condition: #"{"ForAnyValue:StringEqualsIgnoreCase":{"s3:RequestObjectTagKeys":["DEPT"]}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["team", "dept"]], holds: true),
            Case(condition: #"{"ForAnyValue:IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}"#,
                 keys: ["aws:SourceIp": ["192.0.2.1", "10.9.9.9"]], holds: true),
            // An operator without a set prefix, on a key with several values, is true when any value matches.
            Case(condition: #"{"StringEquals":{"s3:RequestObjectTagKeys":"b"}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "b"]], holds: true),
            Case(condition: #"{"StringNotEquals":{"s3:RequestObjectTagKeys":"b"}}"#,
                 keys: ["s3:RequestObjectTagKeys": ["a", "b"]], holds: false),
        ])
    }

    func testConditionsCombineWithAnd() throws {
        let both = #"{"StringEquals":{"s3:prefix":"home/","s3:delimiter":"/"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#
        try check([
            Case(condition: both, keys: ["s3:prefix": ["home/"], "s3:delimiter": ["/"], "aws:SourceIp": ["10.0.0.1"]], holds: true),
            Case(condition: both, keys: ["s3:prefix": ["home/"], "s3:delimiter": ["-"], "aws:SourceIp": ["10.0.0.1"]], holds: false),
            Case(condition: both, keys: ["s3:prefix": ["home/"], "s3:delimiter": ["/"], "aws:SourceIp": ["11.0.0.1"]], holds: false),
        ])
    }

    func testConditionKeyNamesAreCaseInsensitive() throws {
        try check([
            Case(condition: #"{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}"#, keys: ["aws:sourceip": ["10.1.1.1"]], holds: true),
            Case(condition: #"{"IpAddress":{"aws:sourceip":"10.0.0.0/8"}}"#, keys: ["AWS:SourceIP": ["10.1.1.1"]], holds: true),
            Case(condition: #"{"StringEquals":{"aws:Username":"steve"}}"#, keys: [:], holds: true),
        ])
    }

    func testPrincipalKeysAreFilledInFromThePrincipal() {
        let user = AuthorizationRequest(
            principal: iamUser("steve"), action: "s3:GetObject", resource: "arn:aws:s3:::b/k", bucketOwnerAccount: testAccount)
        XCTAssertEqual(user.values(forKey: "aws:username"), ["steve"])
        XCTAssertEqual(user.values(forKey: "aws:userid"), ["AIDASTEVEEXAMPLE"])
        XCTAssertEqual(user.values(forKey: "aws:PrincipalArn"), ["arn:aws:iam::123456789012:user/steve"])
        XCTAssertEqual(user.values(forKey: "aws:PrincipalAccount"), [testAccount])
        XCTAssertEqual(user.values(forKey: "aws:PrincipalType"), ["User"])
        let root = AuthorizationRequest(
            principal: rootUser, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", bucketOwnerAccount: testAccount)
        XCTAssertNil(root.values(forKey: "aws:username"))
        XCTAssertEqual(root.values(forKey: "aws:PrincipalType"), ["Account"])
        XCTAssertEqual(root.values(forKey: "aws:userid"), [testAccount])
        let anonymous = AuthorizationRequest(
            principal: .anonymous, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", bucketOwnerAccount: testAccount)
        XCTAssertEqual(anonymous.values(forKey: "aws:PrincipalType"), ["Anonymous"])
        XCTAssertEqual(anonymous.values(forKey: "aws:userid"), ["anonymous"])
        XCTAssertNil(anonymous.values(forKey: "aws:PrincipalArn"))
        XCTAssertNil(anonymous.values(forKey: "aws:PrincipalAccount"))
        // A value the caller sets wins over the filled-in one.
        let explicit = AuthorizationRequest(
            principal: iamUser("steve"), action: "s3:GetObject", resource: "arn:aws:s3:::b/k",
            bucketOwnerAccount: testAccount, conditionKeys: ["AWS:Username": ["other"]])
        XCTAssertEqual(explicit.values(forKey: "aws:username"), ["other"])
    }

    func testOperatorNames() {
        XCTAssertNotNil(PolicyCondition.parseOperator("ForAnyValue:StringLikeIfExists"))
        XCTAssertNotNil(PolicyCondition.parseOperator("ForAllValues:NumericLessThan"))
        XCTAssertNotNil(PolicyCondition.parseOperator("Null"))
        for invalid in [
            "StringEqualz", "stringequals", "NullIfExists", "ForAllValues:Null", "ForSomeValues:StringEquals",
            "IfExists", "", "StringEqualsIfExistsIfExists",
        ] {
            XCTAssertNil(PolicyCondition.parseOperator(invalid), invalid)
        }
        XCTAssertEqual(PolicyCondition.Operator.allCases.count, 27)
    }

    func testFailedConditionIsExplainedInTheTrace() throws {
        let policy = try identityPolicy(
            #"{"Version":"2012-10-17","Statement":{"Sid":"OfficeOnly","Effect":"Allow","Action":"s3:GetObject","#
                + #""Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#, name: "office")
        let decision = PolicyEvaluator().evaluate(
            authorizationRequest(iamUser("steve"), "s3:GetObject", "arn:aws:s3:::b/k", keys: ["aws:SourceIp": ["198.51.100.7"]]),
            identityPolicies: [policy], bucketPolicy: nil)
        XCTAssertFalse(decision.allowed)
        XCTAssertTrue(decision.trace.contains(
            "  statement OfficeOnly (Allow): action, resource and principal matched; condition IpAddress "
                + "{aws:SourceIp: [203.0.113.0/24]} not met: request has aws:SourceIp = [198.51.100.7]"),
            decision.trace.joined(separator: "\n"))
        XCTAssertTrue(decision.shortTrace.contains("identity \"office\" OfficeOnly: condition IpAddress aws:SourceIp not met"))
    }
}
