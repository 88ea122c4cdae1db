import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// How S3 picks the CORS rule of a request: the first rule whose origin, method and (for a
/// preflight) every requested header match.
final class CORSMatchingTests: XCTestCase {
    func testAllowedOriginPatternsMatchWithOneWildcardAnchoredAtBothEnds() {
        // s3-tests' test_cors_origin_response patterns, plus AWS's scheme/host/port rule.
        let cases: [(pattern: String, origin: String, matches: Bool, line: UInt)] = [
            ("*suffix", "foo.suffix", true, #line),
            ("*suffix", "suffix", true, #line),
            ("*suffix", "foo.suffix.get", false, #line),
            ("start*end", "startend", true, #line),
            ("start*end", "start12end", true, #line),
            ("start*end", "0start12end", false, #line),
            ("prefix*", "prefix", true, #line),
            ("prefix*", "prefix.suffix", true, #line),
            ("prefix*", "bla.prefix", false, #line),
            ("*", "https://anything.example", true, #line),
            ("*", "", true, #line),
            ("http://www.example.com", "http://www.example.com", true, #line),
            ("http://www.example.com", "https://www.example.com", false, #line),
            ("http://www.example.com", "http://www.example.com:80", false, #line),
            ("http://www.example.com", "http://www.example.com/", false, #line),
            ("http://*.origin.com", "http://test.origin.com", true, #line),
            ("http://*.origin.com", "http://test.origin.com/", false, #line),
            ("http://*.sample.com", "http://this.sample.com:80", false, #line),
            ("https://app.example", "https://APP.example", false, #line),
            ("", "", true, #line),
            ("", "x", false, #line),
            ("ab*ba", "aba", false, #line),
        ]
        for (pattern, origin, matches, line) in cases {
            XCTAssertEqual(CORSPattern(pattern).matches(origin), matches, "\(pattern) vs \(origin)", line: line)
        }
    }

    func testOnlyTheLoneStarIsTheAnyOriginWildcard() {
        XCTAssertTrue(CORSPattern("*").isWildcard)
        XCTAssertFalse(CORSPattern("http://*").isWildcard)
        XCTAssertFalse(CORSPattern("*.com").isWildcard)
        XCTAssertFalse(CORSPattern("https://a.example").isWildcard)
    }

    func testAllowedHeadersMatchWithoutRegardToCase() {
        let rule = CORSRule(
            allowedOrigins: ["*"], allowedMethods: ["GET"],
            allowedHeaders: ["x-amz-expected-bucket-owner", "x-AMZ-server-SIDE-encryption", "Content-*"])
        XCTAssertTrue(rule.allowsHeader("x-AMZ-expected-BUCKET-owner"))
        XCTAssertTrue(rule.allowsHeader("x-amz-server-side-encryption"))
        XCTAssertTrue(rule.allowsHeader("content-length"))
        XCTAssertTrue(rule.allowsHeader("CONTENT-TYPE"))
        XCTAssertFalse(rule.allowsHeader("x-amz-request-payer"))
        XCTAssertFalse(rule.allowsHeader("authorization"))
        XCTAssertEqual(rule.allowedHeaders, ["x-amz-expected-bucket-owner", "x-AMZ-server-SIDE-encryption", "Content-*"])
    }

    func testMethodsMatchExactly() {
        let rule = CORSRule(allowedOrigins: ["*"], allowedMethods: ["GET", "PUT"])
        XCTAssertTrue(rule.allowsMethod("PUT"))
        XCTAssertFalse(rule.allowsMethod("put"))
        XCTAssertFalse(rule.allowsMethod("POST"))
    }

    /// The four rules of the eucalyptus/AWS preflight suite.
    func fourRules() throws -> CORSConfiguration {
        try CORSConfiguration(rules: [
            CORSRule(id: "write", allowedOrigins: ["http://www.example1.com"], allowedMethods: ["PUT", "POST", "DELETE"], allowedHeaders: ["*"]),
            CORSRule(id: "read", allowedOrigins: ["http://www.example2.com"], allowedMethods: ["GET"]),
            CORSRule(id: "head", allowedOrigins: ["*"], allowedMethods: ["HEAD"]),
            CORSRule(
                id: "wild", allowedOrigins: ["http://www.corstest*.com", "http://*.sample.com"],
                allowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"], allowedHeaders: ["x-amz-*", "Content-*"],
                exposeHeaders: ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"], maxAgeSeconds: 3000),
        ])
    }

    func testPreflightPicksTheFirstRuleMatchingOriginMethodAndEveryRequestedHeader() throws {
        let configuration = try fourRules()
        let cases: [(origin: String, method: String, headers: [String], rule: String?, anyOrigin: Bool, line: UInt)] = [
            ("http://www.example1.com", "POST", [], "write", false, #line),
            ("http://www.example1.com", "POST", ["x-anything", "authorization"], "write", false, #line),
            ("http://www.example1.com", "GET", [], nil, false, #line),
            ("http://www.example2.com", "GET", [], "read", false, #line),
            ("http://www.example2.com", "GET", ["x-amz-date"], nil, false, #line),
            ("http://www.mycorssite1.com", "HEAD", [], "head", true, #line),
            ("http://www.mycorssite1.com", "GET", [], nil, false, #line),
            ("http://this.sample.com", "DELETE", [], "wild", false, #line),
            ("http://this.sample.com:80", "DELETE", [], nil, false, #line),
            ("http://www.corstest.com", "DELETE", ["x-amz-date", "content-length"], "wild", false, #line),
            ("http://www.corstest1.company.com", "DELETE", ["x-amz-date", "content-length"], "wild", false, #line),
            ("http://www.corstest1.company.com", "DELETE", ["x-amz-date", "date"], nil, false, #line),
            // HEAD from a wildcard-rule origin: rule 3 (`*`, HEAD) comes first.
            ("http://this.sample.com", "HEAD", [], "head", true, #line),
        ]
        for (origin, method, headers, rule, anyOrigin, line) in cases {
            let match = configuration.preflight(origin: origin, method: method, requestHeaders: headers)
            XCTAssertEqual(match?.rule.id, rule, "\(origin) \(method) \(headers)", line: line)
            if rule != nil {
                XCTAssertEqual(match?.anyOrigin, anyOrigin, line: line)
            }
        }
    }

    func testActualRequestsMatchOnOriginAndMethodOnly() throws {
        let configuration = try fourRules()
        XCTAssertEqual(configuration.match(origin: "http://www.example2.com", method: "GET")?.rule.id, "read")
        XCTAssertNil(configuration.match(origin: "http://www.example2.com", method: "PUT"))
        XCTAssertEqual(configuration.match(origin: "http://www.corstest9.com", method: "PUT")?.rule.id, "wild")
        XCTAssertNil(configuration.match(origin: "https://elsewhere.example", method: "GET"))
    }

    func testARuleWithoutAllowedHeadersAllowsNoRequestedHeader() throws {
        let configuration = try CORSConfiguration(rules: [CORSRule(allowedOrigins: ["*"], allowedMethods: ["GET"], exposeHeaders: ["x-amz-meta-header1"])])
        XCTAssertNotNil(configuration.preflight(origin: "https://a.example", method: "GET", requestHeaders: []))
        XCTAssertNil(configuration.preflight(origin: "https://a.example", method: "GET", requestHeaders: ["x-amz-meta-header2"]))
    }

    func testTheScenarioRulesOfDjavePhotosAndTriageAttachments() throws {
        let djave = try CORSConfiguration(parsing: Array(#"""
            <?xml version="1.0" encoding="UTF-8"?>
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <CORSRule>
                <AllowedOrigin>*</AllowedOrigin>
                <AllowedMethod>POST</AllowedMethod>
                <AllowedHeader>*</AllowedHeader>
            </CORSRule>
            </CORSConfiguration>
            """#.utf8))
        XCTAssertEqual(djave.preflight(origin: "https://photos.example", method: "POST", requestHeaders: ["content-type"])?.anyOrigin, true)
        XCTAssertNil(djave.preflight(origin: "https://photos.example", method: "PUT", requestHeaders: []))
        XCTAssertNil(djave.preflight(origin: "https://photos.example", method: "DELETE", requestHeaders: []))

        let triage = try CORSConfiguration(rules: [
            CORSRule(allowedOrigins: ["*"], allowedMethods: ["PUT", "HEAD", "GET", "DELETE"], allowedHeaders: ["*"], exposeHeaders: []),
        ])
        let put = triage.preflight(origin: "https://triage.example", method: "PUT", requestHeaders: ["content-type"])
        XCTAssertEqual(put?.rule.allowedMethods, ["PUT", "HEAD", "GET", "DELETE"])
        XCTAssertNil(triage.preflight(origin: "https://triage.example", method: "POST", requestHeaders: []))
    }

    func testMatchingALongOriginDoesNotAllocatePerRule() throws {
        let rules = (0..<100).map { CORSRule(allowedOrigins: ["https://site\($0).example"], allowedMethods: ["GET"]) }
        let configuration = try CORSConfiguration(rules: rules)
        let origin = "https://site99.example"
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<2_000 {
                XCTAssertNotNil(configuration.match(origin: origin, method: "GET"))
            }
        }
        // 200,000 pattern comparisons: well under a second even in a debug build.
        XCTAssertLessThan(elapsed, .seconds(2))
    }
}
