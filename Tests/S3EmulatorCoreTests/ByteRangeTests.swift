import S3EmulatorCore
import XCTest

final class ByteRangeTests: XCTestCase {
    func testParseAcceptsTheThreeSingleRangeForms() {
        let valid: [(String, ByteRange)] = [
            ("bytes=0-9", .from(0, through: 9)),
            ("bytes=0-0", .from(0, through: 0)),
            ("bytes=5-", .from(5, through: nil)),
            ("bytes=0-", .from(0, through: nil)),
            ("bytes=-5", .suffix(5)),
            ("bytes=-0", .suffix(0)),
            ("bytes=10-10", .from(10, through: 10)),
            ("Bytes=0-9", .from(0, through: 9)),
            ("BYTES=0-9", .from(0, through: 9)),
            ("  bytes=0-9  ", .from(0, through: 9)),
            ("bytes=007-010", .from(7, through: 10)),
        ]
        for (header, expected) in valid {
            XCTAssertEqual(ByteRange.parse(header), expected, header)
        }
    }

    func testParseIgnoresEverythingButOneValidByteRange() {
        let ignored = [
            "", "bytes", "bytes=", "bytes=-", "bytes=--5", "bytes=-5-", "bytes=5--", "bytes=a-b", "bytes=0-9x",
            "bytes=9-0", "bytes=10-9", "bytes=0-1,3-4", "bytes=0-1, 3-4", "bytes=0-9,", "bytes=,0-9", "items=0-9",
            "byte=0-9", "bytes 0-9", "bytes = 0-9", "bytes= 0-9", "bytes=0 -9", "bytes=0- 9", "bytes=+1-2",
            "bytes=0x10-20", "bytes=1.5-2", "bytes=\u{0661}-\u{0662}", "bytes=0-9;", "bytesx=0-9", "=0-9", "0-9",
        ]
        for header in ignored {
            XCTAssertNil(ByteRange.parse(header), header)
        }
    }

    func testPositionsTooLargeForInt64Saturate() {
        XCTAssertEqual(ByteRange.parse("bytes=99999999999999999999-"), .from(Int64.max, through: nil))
        XCTAssertEqual(ByteRange.parse("bytes=0-99999999999999999999"), .from(0, through: Int64.max))
        XCTAssertEqual(ByteRange.parse("bytes=-99999999999999999999"), .suffix(Int64.max))
        XCTAssertEqual(ByteRange.parse("bytes=9223372036854775807-"), .from(Int64.max, through: nil))
        XCTAssertNil(ByteRange.parse("bytes=99999999999999999999-5"))
    }

    func testResolveAgainstAHundredByteObject() {
        let size: Int64 = 100
        let cases: [(ByteRange, ClosedRange<Int64>?)] = [
            (.from(0, through: 9), 0...9),
            (.from(0, through: 0), 0...0),
            (.from(90, through: 200), 90...99),
            (.from(99, through: nil), 99...99),
            (.from(0, through: nil), 0...99),
            (.from(0, through: Int64.max), 0...99),
            (.from(100, through: nil), nil),
            (.from(100, through: 200), nil),
            (.from(Int64.max, through: nil), nil),
            (.suffix(10), 90...99),
            (.suffix(1), 99...99),
            (.suffix(100), 0...99),
            (.suffix(200), 0...99),
            (.suffix(Int64.max), 0...99),
            (.suffix(0), nil),
        ]
        for (range, expected) in cases {
            XCTAssertEqual(range.resolve(size: size), expected, "\(range)")
        }
    }

    func testEveryRangeOnAnEmptyObjectIsUnsatisfiable() {
        for range in [ByteRange.from(0, through: nil), .from(0, through: 0), .from(0, through: 10), .suffix(1), .suffix(0)] {
            XCTAssertNil(range.resolve(size: 0), "\(range)")
        }
    }

    func testParsedHeadersResolveEndToEnd() {
        XCTAssertEqual(ByteRange.parse("bytes=-500")?.resolve(size: 2000), 1500...1999)
        XCTAssertEqual(ByteRange.parse("bytes=500-")?.resolve(size: 2000), 500...1999)
        XCTAssertEqual(ByteRange.parse("bytes=0-499")?.resolve(size: 2000), 0...499)
        XCTAssertEqual(ByteRange.parse("bytes=1000-2000")?.resolve(size: 2000), 1000...1999)
        XCTAssertNil(ByteRange.parse("bytes=2000-2001")?.resolve(size: 2000))
        XCTAssertNil(ByteRange.parse("bytes=99999999999999999999-")?.resolve(size: 2000))
    }
}
