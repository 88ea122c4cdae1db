import Foundation
import S3EmulatorCore
import XCTest

final class AmazonDateTests: XCTestCase {
    func testFormatISO8601WritesMillisecondsAndZ() {
        XCTAssertEqual(AmazonDate.formatISO8601(Date(timeIntervalSince1970: 1_255_369_830)), "2009-10-12T17:50:30.000Z")
        XCTAssertEqual(
            AmazonDate.formatISO8601(Date(timeIntervalSince1970: 1_255_369_830.123)), "2009-10-12T17:50:30.123Z")
        XCTAssertEqual(AmazonDate.formatISO8601(Date(timeIntervalSince1970: 0.001)), "1970-01-01T00:00:00.001Z")
        XCTAssertEqual(AmazonDate.formatISO8601(Date(timeIntervalSince1970: -0.001)), "1969-12-31T23:59:59.999Z")
        // Rounded to the nearest millisecond, carrying into the second.
        XCTAssertEqual(
            AmazonDate.formatISO8601(Date(timeIntervalSince1970: 1_255_369_830.9996)), "2009-10-12T17:50:31.000Z")
        XCTAssertEqual(AmazonDate.formatISO8601(Date.distantFuture).utf8.count, 24)
        XCTAssertEqual(AmazonDate.formatISO8601(Date(timeIntervalSince1970: .nan)), "1970-01-01T00:00:00.000Z")
    }

    func testParseISO8601AcceptsWithAndWithoutFraction() throws {
        let base = Date(timeIntervalSince1970: 1_255_369_830)
        XCTAssertEqual(AmazonDate.parseISO8601("2009-10-12T17:50:30Z"), base)
        XCTAssertEqual(AmazonDate.parseISO8601("2009-10-12T17:50:30.000Z"), base)
        let fractional = try XCTUnwrap(AmazonDate.parseISO8601("2009-10-12T17:50:30.5Z"))
        XCTAssertEqual(fractional.timeIntervalSince1970, 1_255_369_830.5, accuracy: 1e-6)
        let nanos = try XCTUnwrap(AmazonDate.parseISO8601("2009-10-12T17:50:30.123456789Z"))
        XCTAssertEqual(nanos.timeIntervalSince1970, 1_255_369_830.123456789, accuracy: 1e-6)
    }

    func testParseISO8601AcceptsOffsets() {
        let base = Date(timeIntervalSince1970: 1_255_369_830)
        XCTAssertEqual(AmazonDate.parseISO8601("2009-10-12T19:50:30+02:00"), base)
        XCTAssertEqual(AmazonDate.parseISO8601("2009-10-12T12:20:30.000-05:30"), base)
        XCTAssertEqual(AmazonDate.parseISO8601("2009-10-12T17:50:30+00:00"), base)
    }

    func testParseISO8601RefusesMalformedOrOutOfRangeDates() {
        let invalid = [
            "", "2009-10-12", "2009-10-12T17:50:30", "2009-10-12T17:50:30z", "2009-10-12t17:50:30Z",
            "2009-10-12 17:50:30Z", "2009-10-12T17:50Z", "2009-10-12T17:50:30.Z", "2009-10-12T17:50:30.1234567890Z",
            "2009-13-12T17:50:30Z", "2009-00-12T17:50:30Z", "2009-02-29T17:50:30Z", "2009-10-32T17:50:30Z",
            "2009-10-12T24:00:00Z", "2009-10-12T17:60:30Z", "2009-10-12T17:50:60Z", "2009-10-12T17:50:30ZZ",
            "2009-10-12T17:50:30+0200", "2009-10-12T17:50:30+24:00", "2009-10-12T17:50:30+02:60", "09-10-12T17:50:30Z",
            "20091012T175030Z", "+2009-10-12T17:50:30Z", "2009-1-12T17:50:30Z", "2009-10-12T17:50:30.000Zjunk",
        ]
        for text in invalid {
            XCTAssertNil(AmazonDate.parseISO8601(text), text)
        }
        XCTAssertNotNil(AmazonDate.parseISO8601("2008-02-29T00:00:00Z"))
    }

    func testISO8601RoundTripsAtMillisecondPrecision() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let milliseconds = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
            let text = AmazonDate.formatISO8601(date)
            let parsed = try XCTUnwrap(AmazonDate.parseISO8601(text), text)
            XCTAssertEqual(AmazonDate.formatISO8601(parsed), text)
            XCTAssertEqual(parsed.timeIntervalSince1970, date.timeIntervalSince1970, accuracy: 0.0005)
        }
    }

    func testBasicFormatAsXAmzDate() {
        let date = Date(timeIntervalSince1970: 1_369_353_600)
        XCTAssertEqual(AmazonDate.parseBasic("20130524T000000Z"), date)
        XCTAssertEqual(AmazonDate.formatBasic(date), "20130524T000000Z")
        XCTAssertEqual(AmazonDate.formatDateStamp(date), "20130524")
        let later = Date(timeIntervalSince1970: 1_440_938_160)
        XCTAssertEqual(AmazonDate.formatBasic(later), "20150830T123600Z")
        XCTAssertEqual(AmazonDate.parseBasic("20150830T123600Z"), later)
        XCTAssertEqual(AmazonDate.formatDateStamp(later), "20150830")
        XCTAssertEqual(AmazonDate.formatBasic(Date(timeIntervalSince1970: 1_440_938_160.7)), "20150830T123600Z")
    }

    func testParseBasicRefusesAnythingElse() {
        let invalid = [
            "", "20130524", "20130524T000000", "20130524T000000z", "20130524t000000Z", "2013-05-24T00:00:00Z",
            "20130524T00000Z", "20130524T0000000Z", "20131324T000000Z", "20130532T000000Z", "20130229T000000Z",
            "20130524T240000Z", "20130524T006000Z", "20130524T000060Z", "20130524T000000.000Z", "2013O524T000000Z",
            "20130524T000000Z0", "+0130524T000000Z",
        ]
        for text in invalid {
            XCTAssertNil(AmazonDate.parseBasic(text), text)
        }
        XCTAssertNotNil(AmazonDate.parseBasic("20120229T235959Z"))
    }

    func testDateStampOfACredentialScope() {
        XCTAssertEqual(AmazonDate.parseDateStamp("20130524"), Date(timeIntervalSince1970: 1_369_353_600))
        XCTAssertNotNil(AmazonDate.parseDateStamp("20120229"))
        for text in ["", "2013052", "201305240", "20131324", "20130532", "20130229", " 2013052", "2013052 ", "2013-524", "2013O524"] {
            XCTAssertNil(AmazonDate.parseDateStamp(text[...]), text)
        }
        let credential = "AKID/20130524/us-east-1/s3/aws4_request"
        let stamp = credential.split(separator: "/")[1]
        XCTAssertEqual(AmazonDate.parseDateStamp(stamp), Date(timeIntervalSince1970: 1_369_353_600), "a slice of a longer string")
    }
}
