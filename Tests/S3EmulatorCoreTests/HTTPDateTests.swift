import Foundation
import S3EmulatorCore
import XCTest

final class HTTPDateTests: XCTestCase {
    /// RFC 9110's example instant: Sun, 06 Nov 1994 08:49:37 GMT.
    let example = Date(timeIntervalSince1970: 784_111_777)

    func testFormatWritesIMFFixdate() {
        XCTAssertEqual(HTTPDate.format(example), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 0)), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 946_684_800)), "Sat, 01 Jan 2000 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 1_709_208_000)), "Thu, 29 Feb 2024 12:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: -1)), "Wed, 31 Dec 1969 23:59:59 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 4_102_444_799)), "Thu, 31 Dec 2099 23:59:59 GMT")
    }

    func testFormatDropsFractionalSeconds() {
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777.4)), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777.999)), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: -0.5)), "Wed, 31 Dec 1969 23:59:59 GMT")
    }

    func testFormatNeverCrashesOnExtremeDates() {
        for date in [Date.distantPast, Date.distantFuture, Date(timeIntervalSince1970: .infinity),
            Date(timeIntervalSince1970: -.infinity), Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: 1e300)]
        {
            let text = HTTPDate.format(date)
            XCTAssertEqual(text.utf8.count, 29, text)
            XCTAssertNotNil(HTTPDate.parse(text), text)
        }
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 1e300)), "Fri, 31 Dec 9999 23:59:59 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: -1e300)), "Mon, 01 Jan 0001 00:00:00 GMT")
    }

    func testParseAcceptsTheThreeHTTPDateForms() {
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), example)
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), example)
        XCTAssertEqual(HTTPDate.parse("Sun Nov  6 08:49:37 1994"), example)
        XCTAssertEqual(
            HTTPDate.parse("Sun Nov 16 08:49:37 1994"), Date(timeIntervalSince1970: 784_111_777 + 10 * 86_400))
    }

    func testParseAcceptsNumericZonesAndSurroundingWhitespace() {
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 09:49:37 +0100"), example)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 07:19:37 -0130"), example)
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 +0000"), example)
        XCTAssertEqual(HTTPDate.parse("  Sun, 06 Nov 1994 08:49:37 GMT\t"), example)
    }

    func testRFC850TwoDigitYearsResolveToThePast() {
        // "94" would be 2094, more than 50 years ahead: it is 1994 (RFC 9110 §5.6.7).
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), example)
        // "00" is 2000 (2100 would be more than 50 years ahead).
        XCTAssertEqual(HTTPDate.parse("Saturday, 01-Jan-00 00:00:00 GMT"), Date(timeIntervalSince1970: 946_684_800))
    }

    func testParseDoesNotCheckTheWeekdayAgainstTheDate() {
        // As most HTTP stacks do, a wrong (but well-formed) day name is tolerated.
        XCTAssertEqual(HTTPDate.parse("Mon, 06 Nov 1994 08:49:37 GMT"), example)
    }

    func testParseValidatesLeapDays() {
        XCTAssertNotNil(HTTPDate.parse("Thu, 29 Feb 2024 12:00:00 GMT"))
        XCTAssertNotNil(HTTPDate.parse("Tue, 29 Feb 2000 12:00:00 GMT"))
        XCTAssertNil(HTTPDate.parse("Wed, 29 Feb 2023 12:00:00 GMT"))
        XCTAssertNil(HTTPDate.parse("Thu, 29 Feb 1900 12:00:00 GMT"))
        XCTAssertNil(HTTPDate.parse("Sun, 31 Apr 2024 12:00:00 GMT"))
        XCTAssertNotNil(HTTPDate.parse("Tue, 30 Apr 2024 12:00:00 GMT"))
    }

    func testParseRefusesMalformedDates() {
        let invalid = [
            "", "GMT", "2024-01-01T00:00:00Z", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 gmt", "sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:60 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTx", "Sun, 06 Nov 1994 08:49:37 GMT GMT", "Sun, 06 Nov 1994 08:49:37 +01",
            "Sun, 06 Nov 1994 08:49:37 +2400", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 GMT",
            "Sun, 06 Nov 1994 08:49:37 G\u{00C9}T", "Sun, ０６ Nov 1994 08:49:37 GMT", "not a date",
        ]
        for text in invalid {
            XCTAssertNil(HTTPDate.parse(text), text)
        }
    }

    func testFormatAndParseRoundTripAcrossCenturies() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = HTTPDate.format(date)
            XCTAssertEqual(HTTPDate.parse(text), date, text)
        }
    }

    func testFormatAgreesWithFoundationsGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            // 1900…2200: where Foundation's Gregorian calendar is unambiguous.
            let seconds = Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
            guard let year = c.year, let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute,
                let second = c.second, let weekday = c.weekday
            else { return XCTFail("no components") }
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let expected =
                "\(weekdays[weekday - 1]), \(two(day)) \(months[month - 1]) \(year) \(two(hour)):\(two(minute)):\(two(second)) GMT"
            XCTAssertEqual(HTTPDate.format(date), expected)
        }
    }
}
