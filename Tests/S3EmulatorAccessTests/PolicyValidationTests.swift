import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// PutBucketPolicy refuses a faulty policy with MalformedPolicy and the message AWS gives;
/// identity-based policies are checked the same way, with IAM's rules where they differ.
final class PolicyValidationTests: XCTestCase {
    /// A bucket policy for bucket `b` with one statement made of `members`.
    func policy(_ members: String, version: String = #""Version":"2012-10-17","#) -> String {
        #"{\#(version)"Statement":[{\#(members)}]}"#
    }

    let allowEveryone = #""Effect":"Allow","Principal":"*","#

    func testMalformedBucketPolicies() {
        let cases: [(json: String, message: String, line: UInt)] = [
            ("not json", MalformedPolicyMessage.notJSON, #line),
            ("[1]", MalformedPolicyMessage.notJSON, #line),
            ("", MalformedPolicyMessage.notJSON, #line),
            ("{", MalformedPolicyMessage.invalidJSON, #line),
            (#"{"Statement":[}"#, MalformedPolicyMessage.invalidJSON, #line),
            (#"{"Version":"2012-10-17",}"#, MalformedPolicyMessage.invalidJSON, #line),
            (#"{"Version":"2012-10-18","Statement":[]}"#, MalformedPolicyMessage.invalidVersion, #line),
            (#"{"Version":20121017,"Statement":[]}"#, MalformedPolicyMessage.invalidVersion, #line),
            (#"{"Version":"2012-10-17"}"#, MalformedPolicyMessage.missingStatement, #line),
            (#"{"Version":"2012-10-17","Statement":[]}"#, MalformedPolicyMessage.emptyStatement, #line),
            (#"{"Version":"2012-10-17","Statement":"Allow"}"#, MalformedPolicyMessage.invalidSyntax, #line),
            (#"{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}"#, MalformedPolicyMessage.invalidSyntax, #line),
            (#"{"Version":"2012-10-17","Policy":"x","Statement":[]}"#, MalformedPolicyMessage.invalidSyntax, #line),
            (policy(#""Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.missingEffect, #line),
            (policy(#""Effect":"Permit","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             "Invalid effect: Permit", #line),
            (policy(#""Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             "Invalid effect: allow", #line),
            (policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.missingPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":"someone","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":"12345"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":"AKIAIOSFODNN7EXAMPLE"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{"Foo":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidPrincipal, #line),
            (policy(allowEveryone + #""Resource":"arn:aws:s3:::b/*""#), MalformedPolicyMessage.missingAction, #line),
            (policy(allowEveryone + #""Action":"s3:GetObjekt","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidAction, #line),
            (policy(allowEveryone + #""Action":"invalid_action","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidAction, #line),
            (policy(allowEveryone + #""Action":"iam:CreateUser","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidAction, #line),
            (policy(allowEveryone + #""Action":"s3:Foo*","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidAction, #line),
            (policy(allowEveryone + #""Action":[],"Resource":"arn:aws:s3:::b/*""#), MalformedPolicyMessage.invalidAction, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject""#), MalformedPolicyMessage.missingResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"*""#), MalformedPolicyMessage.invalidResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*""#),
             MalformedPolicyMessage.invalidResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::bb/*"]"#),
             MalformedPolicyMessage.invalidResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"b/*""#), MalformedPolicyMessage.invalidResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap""#),
             MalformedPolicyMessage.invalidResource, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b""#),
             MalformedPolicyMessage.actionDoesNotApply, #line),
            (policy(allowEveryone + #""Action":["s3:ListBucket","s3:PutObject"],"Resource":"arn:aws:s3:::b""#),
             MalformedPolicyMessage.actionDoesNotApply, #line),
            (policy(allowEveryone + #""Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.actionDoesNotApply, #line),
            (policy(allowEveryone + #""Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b""#),
             MalformedPolicyMessage.actionDoesNotApply, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualz":{"aws:SourceIp":"x"}}"#),
             "Invalid Condition type : StringEqualz", #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"NullIfExists":{"aws:SourceIp":"true"}}"#),
             "Invalid Condition type : NullIfExists", #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:notakey":"x"}}"#),
             MalformedPolicyMessage.invalidConditionKey, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"foo":"x"}}"#),
             MalformedPolicyMessage.invalidConditionKey, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/":"x"}}"#),
             MalformedPolicyMessage.invalidConditionKey, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1"}}"#),
             MalformedPolicyMessage.invalidIPAddress, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.0/33"]}}"#),
             MalformedPolicyMessage.invalidIPAddress, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"NotIpAddress":{"aws:SourceIp":"2001::85a3::8a2e"}}"#),
             MalformedPolicyMessage.invalidIPAddress, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":"home/*"}}"#),
             MalformedPolicyMessage.conditionDoesNotApply, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceIp":{"a":"b"}}}"#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":"x""#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"aws:SourceIp":"maybe"}}"#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Foo":"bar""#),
             MalformedPolicyMessage.invalidSyntax, #line),
            (policy(allowEveryone + #""Action":[1],"Resource":"arn:aws:s3:::b/*""#), MalformedPolicyMessage.invalidSyntax, #line),
            (policy(#""Sid":7,"# + allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#),
             MalformedPolicyMessage.invalidSyntax, #line),
        ]
        for (json, message, line) in cases {
            assertMalformed(json, message: message, line: line)
        }
    }

    func testValidBucketPolicies() throws {
        let valid: [(String, UInt)] = [
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(allowEveryone + #""Action":"*","Resource":"arn:aws:s3:::b""#), #line),
            (policy(allowEveryone + #""Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]"#), #line),
            (policy(allowEveryone + #""Action":"S3:getobject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(allowEveryone + #""Action":"s3:Get*","Resource":"arn:aws:s3:::b""#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b*""#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::*""#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::?/*""#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}/*""#), #line),
            (policy(allowEveryone + #""NotAction":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b""#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","NotResource":"arn:aws:s3:::b""#), #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(#""Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::210987654321:root","arn:aws:iam::123456789012:user/path/steve","arn:aws:iam::123456789012:role/app","arn:aws:sts::123456789012:assumed-role/app/session"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(#""Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(#""Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(#""Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/steve"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*""#), #line),
            (policy(allowEveryone + #""Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"home/*"},"NumericLessThanEquals":{"s3:max-keys":"10"}}"#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:AnyGlobalKey":"x","s3:ExistingObjectTag/owner":"me","S3:X-AMZ-ACL":"private"}}"#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":[]}}"#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"not-a-number"}}"#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#, version: #""Version":"2008-10-17","#), #line),
            (policy(allowEveryone + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#, version: #""Id":"MyPolicy","#), #line),
            (#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#, #line),
            ("  \n{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}", #line),
        ]
        for (json, line) in valid {
            XCTAssertNoThrow(try bucketPolicy(json, bucket: "b"), json, line: line)
        }
    }

    func testPrincipalsThatDoNotExistAreRefused() throws {
        let json = policy(
            #""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ghost"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#)
        assertMalformed(json, message: MalformedPolicyMessage.invalidPrincipal, principalExists: { _ in false })
        XCTAssertNoThrow(
            try PolicyDocument(parsing: json, kind: .bucketPolicy(bucket: "b"), principalExists: {
                $0 == "arn:aws:iam::123456789012:user/ghost"
            }))
        let account = policy(
            #""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#)
        assertMalformed(account, message: MalformedPolicyMessage.invalidPrincipal, principalExists: { $0 == testAccount })
        XCTAssertNoThrow(
            try PolicyDocument(parsing: account, kind: .bucketPolicy(bucket: "b"), principalExists: { $0 == "999999999999" }))
    }

    func testIdentityPolicyRules() throws {
        let identity = PolicyDocument.Kind.identityPolicy
        assertMalformed(
            policy(#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*""#), kind: identity,
            message: MalformedPolicyMessage.principalInIdentityPolicy)
        assertMalformed(
            policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"b/*""#), kind: identity,
            message: MalformedPolicyMessage.invalidResource)
        assertMalformed(
            policy(#""Effect":"Allow","Action":"s3:NoSuchAction","Resource":"*""#), kind: identity,
            message: MalformedPolicyMessage.invalidAction)
        assertMalformed(
            policy(#""Effect":"Allow","Action":"ec2","Resource":"*""#), kind: identity, message: MalformedPolicyMessage.invalidAction)
        assertMalformed(
            policy(#""Effect":"Allow","Action":"s3:GetObject""#), kind: identity, message: MalformedPolicyMessage.missingResource)
        assertMalformed(
            policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}"#),
            kind: identity, message: "Invalid Condition type : StringEqualz")
        for valid in [
            policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#),
            policy(#""Effect":"Allow","Action":["iam:*","ec2:Describe*","s3:List*"],"Resource":"*""#),
            policy(#""Effect":"Allow","Action":"*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/t""#),
            policy(#""Effect":"Deny","NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::b/*""#),
            policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"custom:key":"x"}}"#),
            policy(#""Effect":"Allow","Action":"s3:GetObject","Resource":"*""#, version: ""),
        ] {
            XCTAssertNoThrow(try PolicyDocument(parsing: valid, kind: identity), valid)
        }
    }

    func testParsedDocumentKeepsItsElements() throws {
        let document = try bucketPolicy(
            #"{"Version":"2012-10-17","Id":"P1","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},"#
                + #"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}"#,
            bucket: "b")
        XCTAssertEqual(document.version, "2012-10-17")
        XCTAssertEqual(document.id, "P1")
        XCTAssertTrue(document.variablesEnabled)
        XCTAssertEqual(document.statements.map(\.sid), ["Read", nil])
        XCTAssertEqual(document.statements.map(\.effect), [.allow, .deny])
        XCTAssertEqual(document.statements.map(\.label), ["Read", "#2"])
        XCTAssertEqual(document.statements.map(\.index), [0, 1])
        XCTAssertEqual(document.kind, .bucketPolicy(bucket: "b"))
        XCTAssertTrue(document.text.hasPrefix(#"{"Version""#))
    }

    func testActionCatalogKnowsTheCommonActions() {
        for name in [
            "GetObject", "PutObject", "DeleteObject", "ListBucket", "ListBucketVersions", "ListAllMyBuckets",
            "GetBucketLocation", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketPolicyStatus",
            "PutBucketPublicAccessBlock", "PutBucketOwnershipControls", "PutBucketAcl", "PutObjectAcl", "GetObjectAcl",
            "ListBucketMultipartUploads", "ListMultipartUploadParts", "AbortMultipartUpload", "PutBucketCORS",
            "GetBucketCORS", "PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging", "GetObjectVersion",
            "PutBucketVersioning", "GetBucketVersioning", "PutLifecycleConfiguration", "CreateBucket", "DeleteBucket",
            "GetObjectAttributes", "RestoreObject", "PutEncryptionConfiguration",
        ] {
            XCTAssertNotNil(S3ActionCatalog.action(named: name), name)
            XCTAssertNotNil(S3ActionCatalog.action(fullName: "s3:\(name.uppercased())"), name)
        }
        XCTAssertNil(S3ActionCatalog.action(named: "HeadObject"))
        XCTAssertNil(S3ActionCatalog.action(fullName: "GetObject"))
        XCTAssertEqual(S3ActionCatalog.action(named: "GetObject")?.kinds, .object)
        XCTAssertEqual(S3ActionCatalog.action(named: "ListBucket")?.kinds, .bucket)
        XCTAssertEqual(S3ActionCatalog.action(named: "ListAllMyBuckets")?.kinds, S3ActionCatalog.ResourceKinds.none)
        let names = S3ActionCatalog.all.map(\.lowercasedName)
        XCTAssertEqual(names.count, Set(names).count, "no action is listed twice")
    }
}
