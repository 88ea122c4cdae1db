import XCTest

@testable import S3EmulatorAccess

final class PolicyDateTests: XCTestCase {
    func testParsing() {
        let cases: [(text: String, seconds: Double?, line: UInt)] = [
            ("1970-01-01T00:00:00Z", 0, #line),
            ("2024-01-01T00:00:00Z", 1_704_067_200, #line),
            ("2024-01-01", 1_704_067_200, #line),
            ("2024-01-01T00:00Z", 1_704_067_200, #line),
            ("2024-01-01T00:00:00.500Z", 1_704_067_200.5, #line),
            ("2024-01-01T01:00:00+01:00", 1_704_067_200, #line),
            ("2023-12-31T19:00:00-0500", 1_704_067_200, #line),
            ("2024-02-29T00:00:00Z", 1_709_164_800, #line),
            ("1704067200", 1_704_067_200, #line),
            ("1704067200.25", 1_704_067_200.25, #line),
            ("2023-02-29T00:00:00Z", nil, #line),
            ("2024-13-01", nil, #line),
            ("2024-01-01T24:00:00Z", nil, #line),
            ("2024-01-01 00:00:00", nil, #line),
            ("yesterday", nil, #line),
            ("", nil, #line),
            ("2024-01-01T00:00:00Zjunk", nil, #line),
        ]
        for (text, seconds, line) in cases {
            XCTAssertEqual(PolicyDate.seconds(from: text), seconds, text, line: line)
        }
    }

    func testFormatting() {
        XCTAssertEqual(PolicyDate.iso8601(seconds: 0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(PolicyDate.iso8601(seconds: 1_704_067_199.9), "2023-12-31T23:59:59Z")
        XCTAssertEqual(PolicyDate.iso8601(seconds: 1_709_164_800), "2024-02-29T00:00:00Z")
        XCTAssertEqual(PolicyDate.iso8601(seconds: -1), "1969-12-31T23:59:59Z")
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let (year, month, dayOfMonth) = PolicyDate.civil(fromDays: day)
            XCTAssertEqual(PolicyDate.daysFromCivil(year: year, month: month, day: dayOfMonth), day)
        }
    }
}
