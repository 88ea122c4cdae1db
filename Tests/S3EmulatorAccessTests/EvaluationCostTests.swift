import Dispatch
import XCTest

@testable import S3EmulatorAccess

/// Policies are compiled when stored, so deciding does no JSON and no pattern building per
/// request: evaluating is far cheaper than parsing, whatever the machine's load.
final class EvaluationCostTests: XCTestCase {
    static let statements = (0..<10).map { index in
        #"{"Sid":"S\#(index)","Effect":"Allow","Action":["s3:GetObject","s3:Put*"],"#
            + #""Resource":["arn:aws:s3:::b/team\#(index)/*","arn:aws:s3:::b/home/${aws:username}/*"],"#
            + #""Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"#
            + #""StringLike":{"aws:UserAgent":"*aws-cli*"},"DateLessThan":{"aws:CurrentTime":"2100-01-01T00:00:00Z"}}}"#
    }.joined(separator: ",")
    static let json = #"{"Version":"2012-10-17","Statement":[\#(statements)]}"#

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func testEvaluatingACompiledPolicyCostsFarLessThanParsingIt() throws {
        let policy = try identityPolicy(Self.json)
        let request = authorizationRequest(
            iamUser("steve"), "s3:GetObject", "arn:aws:s3:::b/home/steve/notes.txt",
            keys: ["aws:SourceIp": ["10.1.2.3"], "aws:UserAgent": ["aws-cli/2.15"], "aws:CurrentTime": ["2024-01-01T00:00:00Z"]])
        let evaluator = PolicyEvaluator()
        // The allowed request matches all ten statements in full (a later Deny could exist, so
        // evaluation never stops at the first Allow); the denied one (s3:Put* names
        // s3:PutObjectAcl) is turned away at the resources of each statement.
        let deniedRequest = authorizationRequest(
            iamUser("steve"), "s3:PutObjectAcl", "arn:aws:s3:::b/other/notes.txt", keys: request.conditionKeys)
        XCTAssertTrue(evaluator.evaluate(request, identityPolicies: [policy], bucketPolicy: nil).allowed)

        let rounds = 2_000
        var allowed = 0
        let evaluation = seconds {
            for _ in 0..<rounds {
                if evaluator.evaluate(deniedRequest, identityPolicies: [policy], bucketPolicy: nil).allowed { allowed += 1 }
                if evaluator.evaluate(request, identityPolicies: [policy], bucketPolicy: nil).allowed { allowed += 1 }
            }
        }
        XCTAssertEqual(allowed, rounds)
        // No absolute bound here: timings depend on the machine's load, and the per-statement
        // target is measured by scripts/bench. What must hold anywhere is that evaluating a
        // compiled policy is far cheaper than parsing one, i.e. nothing is parsed per request.

        let parsing = seconds {
            for _ in 0..<20 { _ = try? identityPolicy(Self.json) }
        }
        let perParse = parsing / 20
        let perEvaluation = evaluation / Double(rounds * 2)
        XCTAssertLessThan(perEvaluation * 5, perParse, "evaluating must not re-parse: \(perEvaluation) s vs \(perParse) s")
    }
}
