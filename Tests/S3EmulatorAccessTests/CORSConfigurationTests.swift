import S3EmulatorCore
import XCTest

@testable import S3EmulatorAccess

/// PutBucketCors' document: what S3 accepts, what it refuses (code and message), and how
/// GetBucketCors gives it back.
final class CORSConfigurationTests: XCTestCase {
    private func parse(_ xml: String) throws -> CORSConfiguration {
        try CORSConfiguration(parsing: Array(xml.utf8))
    }

    private func document(_ rules: String) -> String {
        #"<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"# + rules + "</CORSConfiguration>"
    }

    func testPutBucketCorsDocumentWithEveryElementParsesInOrder() throws {
        let configuration = try parse(document("""
            <CORSRule>
              <ID>rule one</ID>
              <AllowedOrigin>http://www.example.com</AllowedOrigin>
              <AllowedOrigin>http://*.example.net</AllowedOrigin>
              <AllowedMethod>PUT</AllowedMethod>
              <AllowedMethod>GET</AllowedMethod>
              <AllowedHeader>x-amz-*</AllowedHeader>
              <ExposeHeader>ETag</ExposeHeader>
              <ExposeHeader>x-amz-request-id</ExposeHeader>
              <MaxAgeSeconds>3000</MaxAgeSeconds>
            </CORSRule>
            <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
            """))
        XCTAssertEqual(configuration.rules.count, 2)
        let first = configuration.rules[0]
        XCTAssertEqual(first.id, "rule one")
        XCTAssertEqual(first.allowedOrigins, ["http://www.example.com", "http://*.example.net"])
        XCTAssertEqual(first.allowedMethods, ["PUT", "GET"])
        XCTAssertEqual(first.allowedHeaders, ["x-amz-*"])
        XCTAssertEqual(first.exposeHeaders, ["ETag", "x-amz-request-id"])
        XCTAssertEqual(first.maxAgeSeconds, 3000)
        XCTAssertNil(configuration.rules[1].id)
        XCTAssertNil(configuration.rules[1].maxAgeSeconds)
    }

    func testGetBucketCorsDocumentRoundTrips() throws {
        let configuration = try CORSConfiguration(rules: [
            CORSRule(id: "a&b", allowedOrigins: ["http://test.com:80", ""], allowedMethods: ["GET"], allowedHeaders: ["*"],
                     exposeHeaders: ["ETag"], maxAgeSeconds: 0),
            CORSRule(allowedOrigins: ["*"], allowedMethods: ["POST", "DELETE"]),
        ])
        let xml = configuration.xml
        XCTAssertTrue(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#), xml)
        XCTAssertTrue(xml.contains(#"<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>a&amp;b</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>GET</AllowedMethod><AllowedOrigin>http://test.com:80</AllowedOrigin><AllowedOrigin></AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule>"#), xml)
        XCTAssertEqual(try parse(xml), configuration)
    }

    func testPutBucketCorsRefusals() {
        let rule = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
        let cases: [(xml: String, code: String, message: String?, line: UInt)] = [
            (document(""), "MalformedXML", nil, #line),
            ("<CORSConfiguration><CORSRule>" + rule + "</CORSRule>", "MalformedXML", nil, #line),
            ("<Other><CORSRule>" + rule + "</CORSRule></Other>", "MalformedXML", nil, #line),
            (document("<CORSRule/>"), "MalformedXML", nil, #line),
            (document("<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule>" + rule + "<Unknown>x</Unknown></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule>" + rule + "<MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule>" + rule + "<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule>" + rule + "<MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule>"), "MalformedXML", nil, #line),
            (document("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>MYMETHOD</AllowedMethod></CORSRule>"), "InvalidRequest",
             "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD", #line),
            (document("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod></CORSRule>"), "InvalidRequest",
             "Found unsupported HTTP method in CORS config. Unsupported method is get", #line),
            (document("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>OPTIONS</AllowedMethod></CORSRule>"), "InvalidRequest",
             "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS", #line),
            (document("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod></AllowedMethod></CORSRule>"), "InvalidRequest",
             "Found unsupported HTTP method in CORS config. Unsupported method is ", #line),
            (document("<CORSRule><AllowedOrigin>*example*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"), "InvalidRequest",
             #"AllowedOrigin "*example*.com" can not have more than one wildcard."#, #line),
            (document("<CORSRule>" + rule + "<AllowedHeader>x-*-*</AllowedHeader></CORSRule>"), "InvalidRequest",
             #"AllowedHeader "x-*-*" can not have more than one wildcard."#, #line),
            (document("<CORSRule>" + rule + "<ExposeHeader>*</ExposeHeader></CORSRule>"), "InvalidRequest",
             "We currently do not support wildcard for ExposeHeader.", #line),
            (document("<CORSRule><ID>" + String(repeating: "i", count: 256) + "</ID>" + rule + "</CORSRule>"), "InvalidRequest", nil, #line),
            (document(String(repeating: "<CORSRule>" + rule + "</CORSRule>", count: 101)), "InvalidRequest",
             "The number of CORS rules should not exceed allowed limit of 100 rules.", #line),
        ]
        for (xml, code, message, line) in cases {
            XCTAssertThrowsError(try parse(xml), line: line) { error in
                guard let error = error as? S3Error else { return XCTFail("\(error)", line: line) }
                XCTAssertEqual(error.code.code, code, error.message, line: line)
                XCTAssertEqual(error.code.status, 400, line: line)
                if let message { XCTAssertEqual(error.message, message, line: line) }
            }
        }
    }

    func testExactlyOneHundredRulesAndA255CharacterIDAreAccepted() throws {
        let rule = "<CORSRule><ID>" + String(repeating: "i", count: 255) + "</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
        XCTAssertEqual(try parse(document(String(repeating: rule, count: 100))).rules.count, 100)
    }

    func testADocumentOver64KBIsRefused() {
        let padding = String(repeating: " ", count: 64 * 1024)
        XCTAssertThrowsError(try parse(document("<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>" + padding)))
    }

    func testTheDjavePhotosDocumentAsPublishedIsAccepted() throws {
        let configuration = try parse(#"""
            <?xml version="1.0" encoding="UTF-8"?>
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <CORSRule>
                <AllowedOrigin>*</AllowedOrigin>
                <AllowedMethod>POST</AllowedMethod>
                <AllowedHeader>*</AllowedHeader>
            </CORSRule>
            </CORSConfiguration>
            """#)
        XCTAssertEqual(configuration.rules, [CORSRule(allowedOrigins: ["*"], allowedMethods: ["POST"], allowedHeaders: ["*"])])
    }
}
