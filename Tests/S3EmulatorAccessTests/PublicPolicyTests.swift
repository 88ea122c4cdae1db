import XCTest

@testable import S3EmulatorAccess

/// "The meaning of public": S3 assumes a bucket policy is public unless every Allow grants
/// only to fixed principals or is pinned by a condition on a fixed value of a restricting key.
final class PublicPolicyTests: XCTestCase {
    func isPublic(_ statements: String) throws -> Bool {
        try bucketPolicy(#"{"Version":"2012-10-17","Statement":[\#(statements)]}"#, bucket: "b").isPublic
    }

    func allow(principal: String = #""*""#, condition: String? = nil) -> String {
        let conditionText = condition.map { #","Condition":\#($0)"# } ?? ""
        return #"{"Effect":"Allow","Principal":\#(principal),"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"\#(conditionText)}"#
    }

    func testPublicAndNonPublicPolicies() throws {
        let cases: [(statements: String, isPublic: Bool, line: UInt)] = [
            (allow(), true, #line),
            (allow(principal: #"{"AWS":"*"}"#), true, #line),
            (allow(principal: #"{"AWS":["*"]}"#), true, #line),
            (allow(principal: #"{"AWS":["arn:aws:iam::123456789012:user/steve","*"]}"#), true, #line),
            (allow(principal: #"{"AWS":"123456789012"}"#), false, #line),
            (allow(principal: #"{"AWS":"arn:aws:iam::123456789012:user/steve"}"#), false, #line),
            (allow(principal: #"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#), false, #line),
            (allow(principal: #"{"Service":"cloudtrail.amazonaws.com"}"#), false, #line),
            (allow(principal: #"{"Federated":"graph.facebook.com"}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#), false, #line),
            (allow(condition: #"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#), false, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#), false, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.7"]}}"#), false, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#), true, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","0.0.0.0/0"]}}"#), true, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#), false, #line),
            (allow(condition: #"{"IpAddress":{"aws:SourceIp":"2001::/16"}}"#), true, #line),
            (allow(condition: #"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#), true, #line),
            (allow(condition: #"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#), true, #line),
            (allow(condition: #"{"Bool":{"aws:SecureTransport":"true"}}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"aws:Referer":"https://example.com/"}}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}"#), false, #line),
            (allow(condition: #"{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#), false, #line),
            (allow(condition: #"{"StringEquals":{"aws:PrincipalAccount":"${aws:username}"}}"#), true, #line),
            (allow(condition: #"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-91237329"}}"#), true, #line),
            (allow(condition: #"{"StringNotEquals":{"aws:SourceVpc":"vpc-91237329"}}"#), true, #line),
            (allow(condition: #"{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#), true, #line),
            (allow(condition: #"{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}}"#), false, #line),
            (allow(condition: #"{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::123456789012:distribution/*"}}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"aws:SourceAccount":"123456789012"}}"#), false, #line),
            (allow(condition: #"{"StringEquals":{"aws:SourceOwner":"123456789012"}}"#), false, #line),
            (allow(condition: #"{"StringEquals":{"aws:userid":"AIDASTEVEEXAMPLE"}}"#), false, #line),
            (allow(condition: #"{"StringLike":{"aws:userid":"AROLEID:*"}}"#), true, #line),
            (allow(condition: #"{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:123456789012:key/k"}}"#), false, #line),
            (allow(condition: #"{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}"#), false, #line),
            (allow(condition: #"{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#), false, #line),
            (#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#, false, #line),
            (#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/steve"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#, true, #line),
            (allow(principal: #"{"AWS":"123456789012"}"#) + "," + allow(), true, #line),
            (allow(principal: #"{"AWS":"123456789012"}"#) + ","
                + #"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#, false, #line),
        ]
        for (statements, expected, line) in cases {
            XCTAssertEqual(try isPublic(statements), expected, statements, line: line)
        }
    }

    func testWildcardInPrincipalConditionKeysMakesPolicyPublic() throws {
        XCTAssertTrue(try isPublic(allow(condition: #"{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}"#)))
        XCTAssertFalse(try isPublic(allow(condition: #"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/steve"}}"#)))
    }
}
