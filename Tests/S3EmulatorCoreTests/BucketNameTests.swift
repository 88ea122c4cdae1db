import S3EmulatorCore
import XCTest

final class BucketNameTests: XCTestCase {
    func testValidNamesFromTheBucketNamingRulesPage() throws {
        let valid = [
            "docexamplebucket1", "log-delivery-march-2020", "my-hosted-content", "docexamplewebsite.com",
            "www.docexamplewebsite.com", "my.example.s3.bucket", "abc", "a1b", "1bucket", "bucket1", "123",
            String(repeating: "a", count: 63), "a-b", "a.b", "a-.b", "a.-b", "1.2.3", "1.2.3.4.5", "192.168.5.4a",
            "a192.168.5.4", "1234.1.1.1", "xn-bucket", "sthree", "sthreebucket", "amzn-s3-demo", "bucket-s3alia",
            "s3alias", "mrap", "bucket-mrap", "bucket--x-s", "bucket-x-s3", "table-s3", "bucket-ol-s3",
        ]
        for name in valid {
            XCTAssertTrue(BucketName.isValid(name), name)
            XCTAssertNoThrow(try BucketName.validate(name), name)
        }
    }

    func testInvalidNamesFromTheBucketNamingRulesPage() {
        let invalid = [
            // Characters and case.
            "doc_example_bucket", "DocExampleBucket", "bucket name", "bücket", "bucket/", "bucket:1", "bucket@x",
            "BUCKET",
            // Ends.
            "doc-example-bucket-", "-bucket", ".bucket", "bucket.",
            // Adjacent periods.
            "example..com", "a..b",
            // Length.
            "", "a", "ab", String(repeating: "a", count: 64),
            // IP addresses.
            "192.168.5.4", "10.0.0.1", "0.0.0.0", "255.255.255.255", "999.999.999.999",
            // Reserved prefixes.
            "xn--bucket", "xn--", "sthree-bucket", "sthree-configurator", "sthree-configurator-x", "amzn-s3-demo-bucket",
            // Reserved suffixes.
            "bucket-s3alias", "bucket--ol-s3", "bucket.mrap", "bucket--x-s3", "bucket--table-s3",
        ]
        for name in invalid {
            XCTAssertFalse(BucketName.isValid(name), name)
        }
    }

    func testValidateThrowsInvalidBucketNameWithTheName() {
        do {
            try BucketName.validate("Invalid_Bucket")
            XCTFail("expected InvalidBucketName")
        } catch {
            XCTAssertEqual(error.code, .invalidBucketName)
            XCTAssertEqual(error.code.code, "InvalidBucketName")
            XCTAssertEqual(error.code.status, 400)
            XCTAssertEqual(error.details.map(\.name), ["BucketName"])
            XCTAssertEqual(error.details.map(\.value), ["Invalid_Bucket"])
        }
    }
}
