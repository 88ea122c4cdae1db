@testable import S3Emulator
import S3EmulatorCore
import XCTest

/// A request's query: checked whole when it arrives, each parameter decoded when asked for.
final class QueryParametersTests: XCTestCase {
    func testParametersAreFoundByTheirDecodedNames() throws {
        let query = try QueryParameters(rawQuery: "list-type=2&prefix=a%2Fb+c&delimiter=%2F&acl=&uploads&x%2Dy=1")
        XCTAssertEqual(query["list-type"], "2")
        XCTAssertEqual(query["prefix"], "a/b c")
        XCTAssertEqual(query["delimiter"], "/")
        XCTAssertEqual(query["acl"], "")
        XCTAssertEqual(query["uploads"], "", "a parameter without a value")
        XCTAssertEqual(query["x-y"], "1", "an encoded name")
        XCTAssertNil(query["versionId"])
        XCTAssertTrue(query.contains("uploads"))
        XCTAssertFalse(query.contains("upload"))
        XCTAssertEqual(query.names { _ in true }, ["list-type", "prefix", "delimiter", "acl", "uploads", "x-y"])
        XCTAssertEqual(query.names(where: S3SubResource.contains), ["acl", "uploads"])
        XCTAssertEqual(query.items.map(\.value), ["2", "a/b c", "/", "", nil, "1"])
    }

    /// Names are matched by their decoded bytes: a name of the same length that differs, an
    /// escaped name (longer as sent) and a `+` that decodes to a space.
    func testLookupsCompareDecodedNames() throws {
        let query = try QueryParameters(rawQuery: "X-Amz-Date=1&%61cl=2&a+b=3&versionid=4")
        XCTAssertNil(query["partNumber"], "as long as X-Amz-Date")
        XCTAssertEqual(query["acl"], "2")
        XCTAssertEqual(query["a b"], "3")
        XCTAssertNil(query["a+b"])
        XCTAssertNil(query["versionId"], "names are case-sensitive")
        XCTAssertEqual(query.names(where: S3SubResource.contains), ["acl"])
    }

    func testTheFirstOfRepeatedParametersCounts() throws {
        let query = try QueryParameters(rawQuery: "a=1&&a=2&b")
        XCTAssertEqual(query["a"], "1")
        XCTAssertEqual(query.items.map(\.name), ["a", "a", "b"])
    }

    func testAQueryThatDoesNotDecodeIsRefusedWhole() {
        for raw in ["x=%zz", "%zz", "ok=1&bad%=2", "k=%FF", "a=1&b=%E2%82"] {
            XCTAssertThrowsError(try QueryParameters(rawQuery: raw), raw) { error in
                XCTAssertEqual((error as? S3Error)?.code, .invalidArgument, raw)
            }
        }
        XCTAssertNoThrow(try QueryParameters(rawQuery: "a+b=c+d&%E2%82%AC=%20"))
        XCTAssertNoThrow(try QueryParameters(rawQuery: nil))
    }
}
