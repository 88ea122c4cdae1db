import Foundation

/// HTTP dates (RFC 9110 §5.6.7): `Last-Modified`, `Date`, `Expires`, `If-Modified-Since`…
///
/// ```swift
/// HTTPDate.format(Date(timeIntervalSince1970: 784_111_777))  // "Sun, 06 Nov 1994 08:49:37 GMT"
/// HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT")             // the same instant
/// ```
public enum HTTPDate {
    /// The IMF-fixdate form, `Sun, 06 Nov 1994 08:49:37 GMT`, at second precision
    /// (sub-second parts are dropped after rounding to the millisecond).
    public static func format(_ date: Date) -> String {
        let time = CivilTime(date)
        var writer = DateWriter(capacity: 29)
        writer.text(CivilTime.weekdayAbbreviations[time.weekday])
        writer.text(", ")
        writer.digits(time.day, width: 2)
        writer.byte(UInt8(ascii: " "))
        writer.text(CivilTime.monthAbbreviations[time.month - 1])
        writer.byte(UInt8(ascii: " "))
        writer.digits(time.year, width: 4)
        writer.byte(UInt8(ascii: " "))
        writer.digits(time.hour, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.digits(time.minute, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.digits(time.second, width: 2)
        writer.text(" GMT")
        return writer.string
    }

    /// Parses the three forms HTTP recipients must accept: IMF-fixdate
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
    /// asctime (`Sun Nov  6 08:49:37 1994`). The IMF form also accepts a numeric zone
    /// (`+0000`, `-0130`), as older S3 clients send in `Date`. Returns nil for anything
    /// else, including out-of-range fields; names are case-sensitive as RFC 9110 says.
    public static func parse(_ string: String) -> Date? {
        string.withTrimmedUTF8 { bytes -> Date? in
            guard let seconds = parseIMFFixdate(bytes) ?? parseRFC850(bytes) ?? parseAsctime(bytes) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
    }

    private static func parseIMFFixdate(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = DateScanner(bytes)
        guard scanner.oneOf(CivilTime.weekdayAbbreviations) != nil, scanner.literal(", "),
            let day = scanner.digits(2), scanner.literal(UInt8(ascii: " ")),
            let month = scanner.oneOf(CivilTime.monthAbbreviations), scanner.literal(UInt8(ascii: " ")),
            let year = scanner.digits(4), scanner.literal(UInt8(ascii: " ")),
            let time = scanner.time(), scanner.literal(UInt8(ascii: " "))
        else { return nil }
        var offsetSeconds: Int64 = 0
        if !scanner.literal("GMT") {
            guard let sign = scanner.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            scanner.position += 1
            guard let hours = scanner.digits(2), let minutes = scanner.digits(2), hours <= 23, minutes <= 59 else {
                return nil
            }
            offsetSeconds = Int64(hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        }
        guard scanner.isAtEnd,
            let seconds = CivilTime.secondsSince1970(
                year: year, month: month + 1, day: day, hour: time.hour, minute: time.minute, second: time.second)
        else { return nil }
        return seconds - offsetSeconds
    }

    private static func parseRFC850(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = DateScanner(bytes)
        guard scanner.oneOf(CivilTime.weekdayNames) != nil, scanner.literal(", "),
            let day = scanner.digits(2), scanner.literal(UInt8(ascii: "-")),
            let month = scanner.oneOf(CivilTime.monthAbbreviations), scanner.literal(UInt8(ascii: "-")),
            let twoDigitYear = scanner.digits(2), scanner.literal(UInt8(ascii: " ")),
            let time = scanner.time(), scanner.literal(" GMT"), scanner.isAtEnd
        else { return nil }
        return CivilTime.secondsSince1970(
            year: fullYear(twoDigitYear), month: month + 1, day: day, hour: time.hour, minute: time.minute,
            second: time.second)
    }

    private static func parseAsctime(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = DateScanner(bytes)
        guard scanner.oneOf(CivilTime.weekdayAbbreviations) != nil, scanner.literal(UInt8(ascii: " ")),
            let month = scanner.oneOf(CivilTime.monthAbbreviations), scanner.literal(UInt8(ascii: " "))
        else { return nil }
        // The day is two characters: a digit pair, or a space and a digit.
        let day: Int
        if scanner.literal(UInt8(ascii: " ")) {
            guard let digit = scanner.digits(1) else { return nil }
            day = digit
        } else {
            guard let digits = scanner.digits(2) else { return nil }
            day = digits
        }
        guard scanner.literal(UInt8(ascii: " ")), let time = scanner.time(), scanner.literal(UInt8(ascii: " ")),
            let year = scanner.digits(4), scanner.isAtEnd
        else { return nil }
        return CivilTime.secondsSince1970(
            year: year, month: month + 1, day: day, hour: time.hour, minute: time.minute, second: time.second)
    }

    /// RFC 9110: a two-digit year that would be more than 50 years in the future is the most
    /// recent past year with those last two digits.
    private static func fullYear(_ twoDigits: Int) -> Int {
        let currentYear = CivilTime(Date()).year
        var year = currentYear - currentYear % 100 + twoDigits
        if year > currentYear + 50 { year -= 100 }
        return year
    }
}
