import Foundation

/// The date forms S3 and SigV4 use besides HTTP dates.
///
/// ```swift
/// AmazonDate.formatISO8601(date)           // "2009-10-12T17:50:30.000Z" (S3 XML LastModified)
/// AmazonDate.parseBasic("20130524T000000Z") // x-amz-date
/// AmazonDate.formatDateStamp(date)         // "20130524" (credential scope)
/// ```
public enum AmazonDate {
    /// `2009-10-12T17:50:30.000Z`, with milliseconds, as S3 response XML writes it.
    public static func formatISO8601(_ date: Date) -> String {
        let time = CivilTime(date)
        var writer = DateWriter(capacity: 24)
        writer.digits(time.year, width: 4)
        writer.byte(UInt8(ascii: "-"))
        writer.digits(time.month, width: 2)
        writer.byte(UInt8(ascii: "-"))
        writer.digits(time.day, width: 2)
        writer.byte(UInt8(ascii: "T"))
        writer.digits(time.hour, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.digits(time.minute, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.digits(time.second, width: 2)
        writer.byte(UInt8(ascii: "."))
        writer.digits(time.millisecond, width: 3)
        writer.byte(UInt8(ascii: "Z"))
        return writer.string
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1–9 digits, then `Z` or a
    /// `+HH:MM` / `-HH:MM` offset. Every field is range-checked; nil when anything is off.
    public static func parseISO8601(_ string: String) -> Date? {
        string.withTrimmedUTF8 { bytes -> Date? in
            var scanner = DateScanner(bytes)
            guard let year = scanner.digits(4), scanner.literal(UInt8(ascii: "-")),
                let month = scanner.digits(2), scanner.literal(UInt8(ascii: "-")),
                let day = scanner.digits(2), scanner.literal(UInt8(ascii: "T")),
                let time = scanner.time()
            else { return nil }
            var fraction = 0.0
            if scanner.literal(UInt8(ascii: ".")) {
                var digits = 0
                var scale = 0.1
                while let byte = scanner.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    digits += 1
                    guard digits <= 9 else { return nil }
                    fraction += Double(byte - UInt8(ascii: "0")) * scale
                    scale /= 10
                    scanner.position += 1
                }
                guard digits > 0 else { return nil }
            }
            var offsetSeconds: Int64 = 0
            if !scanner.literal(UInt8(ascii: "Z")) {
                guard let sign = scanner.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
                scanner.position += 1
                guard let hours = scanner.digits(2), scanner.literal(UInt8(ascii: ":")), let minutes = scanner.digits(2),
                    hours <= 23, minutes <= 59
                else { return nil }
                offsetSeconds = Int64(hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            }
            guard scanner.isAtEnd,
                let seconds = CivilTime.secondsSince1970(
                    year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)
            else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(seconds - offsetSeconds) + fraction)
        }
    }

    /// Parses the ISO 8601 basic form `20130524T000000Z` used by `x-amz-date` and
    /// `X-Amz-Date`. Exactly that shape; nil otherwise.
    public static func parseBasic(_ string: String) -> Date? {
        string.withTrimmedUTF8 { parseBasic(bytes: $0) }
    }

    /// Parses exactly `20130524T000000Z` from bytes (no surrounding spaces); nil otherwise.
    public static func parseBasic(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var scanner = DateScanner(bytes)
        guard let year = scanner.digits(4), let month = scanner.digits(2), let day = scanner.digits(2),
            scanner.literal(UInt8(ascii: "T")),
            let hour = scanner.digits(2), let minute = scanner.digits(2), let second = scanner.digits(2),
            scanner.literal(UInt8(ascii: "Z")), scanner.isAtEnd,
            let seconds = CivilTime.secondsSince1970(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Parses the date stamp `20130524` of a SigV4 credential scope: eight digits naming a
    /// real day. Nil otherwise.
    public static func parseDateStamp(_ text: Substring) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            var scanner = DateScanner(bytes)
            guard let year = scanner.digits(4), let month = scanner.digits(2), let day = scanner.digits(2), scanner.isAtEnd,
                let seconds = CivilTime.secondsSince1970(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
            else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
    }

    /// `20130524T000000Z`.
    public static func formatBasic(_ date: Date) -> String {
        let time = CivilTime(date)
        var writer = DateWriter(capacity: 16)
        writer.digits(time.year, width: 4)
        writer.digits(time.month, width: 2)
        writer.digits(time.day, width: 2)
        writer.byte(UInt8(ascii: "T"))
        writer.digits(time.hour, width: 2)
        writer.digits(time.minute, width: 2)
        writer.digits(time.second, width: 2)
        writer.byte(UInt8(ascii: "Z"))
        return writer.string
    }

    /// `20130524`, the date of a SigV4 credential scope.
    public static func formatDateStamp(_ date: Date) -> String {
        let time = CivilTime(date)
        var writer = DateWriter(capacity: 8)
        writer.digits(time.year, width: 4)
        writer.digits(time.month, width: 2)
        writer.digits(time.day, width: 2)
        return writer.string
    }
}
