@testable import S3EmulatorAuth
import XCTest

/// The authentication parameters of a query: `X-Amz-*` names in any letter case, values decoded.
final class QueryParametersTests: XCTestCase {
    func testNamesMatchInAnyLetterCase() {
        let query = QueryParameters("X-Amz-Credential=a%2Fb&x-amz-DATE=20130524T000000Z&Signature=s&plain")
        XCTAssertEqual(query.first("x-amz-credential"), "a/b")
        XCTAssertEqual(query.first("x-amz-date"), "20130524T000000Z")
        XCTAssertTrue(query.contains("x-amz-credential"))
        XCTAssertFalse(query.contains("x-amz-credentia"))
        XCTAssertFalse(query.contains("x-amz-credentials"))
        XCTAssertTrue(query.containsExactly("Signature"))
        XCTAssertFalse(query.containsExactly("signature"))
        XCTAssertEqual(query.first("plain"), "")
        XCTAssertNil(query.first("absent"))
    }

    func testEncodedNamesAreDecodedFirst() {
        let query = QueryParameters("X-Amz-%53ignature=abc&X+Amz=v&%zz=raw")
        XCTAssertEqual(query.first("x-amz-signature"), "abc")
        XCTAssertEqual(query.first("x amz"), "v")
        XCTAssertEqual(query.first("%zz"), "raw", "a name that does not decode is kept as sent")
        XCTAssertEqual(query.parameters.map(\.lowercasedName), ["x-amz-signature", "x amz", "%zz"])
    }

    /// Unicode lowercasing can reach ASCII: the Kelvin sign lowercases to "k".
    func testNonASCIINamesAreLowercasedAsUnicodeDoes() {
        let kelvin = "X-Amz-Security-To\u{212A}en"
        let query = QueryParameters(kelvin.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "=t")
        XCTAssertEqual(query.first("x-amz-security-token"), "t")
        XCTAssertFalse(QueryParameters("X-Amz-Dat\u{E9}=1").contains("x-amz-date"))
    }
}
