import Foundation

/// Proleptic-Gregorian UTC calendar arithmetic on integers (Howard Hinnant's
/// `days_from_civil` / `civil_from_days`), shared by ``HTTPDate`` and ``AmazonDate``.
/// No `DateFormatter`, no `Calendar`: every request formats or parses dates.
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int
    /// 0 = Sunday … 6 = Saturday.
    var weekday: Int

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in milliseconds since 1970;
    /// dates outside are clamped so that every formatted year has four digits.
    static let minimumMilliseconds: Int64 = -62_135_596_800_000
    static let maximumMilliseconds: Int64 = 253_402_300_799_999

    /// The UTC calendar fields of `date`, rounded to the nearest millisecond.
    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var total: Int64
        if interval.isNaN {
            total = 0
        } else {
            let milliseconds = (interval * 1000).rounded()
            if milliseconds <= Double(Self.minimumMilliseconds) {
                total = Self.minimumMilliseconds
            } else if milliseconds >= Double(Self.maximumMilliseconds) {
                total = Self.maximumMilliseconds
            } else {
                total = Int64(milliseconds)
            }
        }
        let (seconds, millisecond) = Self.floorDivide(total, 1000)
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        let civil = Self.civil(fromDays: Int(days))
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
        self.hour = Int(secondOfDay / 3600)
        self.minute = Int(secondOfDay / 60 % 60)
        self.second = Int(secondOfDay % 60)
        self.millisecond = Int(millisecond)
        self.weekday = Int(Self.floorDivide(days + 4, 7).remainder)  // 1970-01-01 was a Thursday.
    }

    /// Seconds since 1970 for validated fields; nil when a field is out of range
    /// (month 1–12, day within the month, hour 0–23, minute 0–59, second 0–59).
    static func secondsSince1970(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (0...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = Int64(days(fromCivilYear: year, month: month, day: day))
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    static let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
}

/// A cursor over ASCII bytes for the fixed-layout date parsers.
struct DateScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position == bytes.count }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Exactly `count` decimal digits.
    mutating func digits(_ count: Int) -> Int? {
        guard bytes.count - position >= count else { return nil }
        var value = 0
        for _ in 0..<count {
            let byte = bytes[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    mutating func literal(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func literal(_ text: String) -> Bool {
        let start = position
        for byte in text.utf8 {
            guard literal(byte) else {
                position = start
                return false
            }
        }
        return true
    }

    /// One of `names` (case-sensitive); returns its index.
    mutating func oneOf(_ names: [String]) -> Int? {
        for (index, name) in names.enumerated() where literal(name) {
            return index
        }
        return nil
    }

    /// `HH:MM:SS`.
    mutating func time() -> (hour: Int, minute: Int, second: Int)? {
        guard let hour = digits(2), literal(UInt8(ascii: ":")), let minute = digits(2), literal(UInt8(ascii: ":")),
            let second = digits(2)
        else { return nil }
        return (hour, minute, second)
    }
}

/// Writes the ASCII of a date form (at most 32 bytes) in place, then makes its string with one
/// allocation at most (none for 15 bytes or fewer).
struct DateWriter {
    /// Room for the longest form, the 29 bytes of an IMF-fixdate.
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0
    private static let capacity = 32

    init(capacity: Int) {
        precondition(capacity <= Self.capacity, "DateWriter holds at most 32 bytes")
    }

    mutating func digits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            byte(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }

    mutating func text(_ value: String) {
        for byte in value.utf8 {
            self.byte(byte)
        }
    }

    mutating func byte(_ value: UInt8) {
        precondition(count < Self.capacity, "DateWriter holds at most 32 bytes")
        let index = count
        withUnsafeMutableBytes(of: &storage) { $0[index] = value }
        count += 1
    }

    var string: String {
        withUnsafeBytes(of: storage) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }
}

extension String {
    /// Runs `body` over the string's UTF-8 bytes, trimmed of surrounding spaces and tabs.
    func withTrimmedUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var copy = self
        return copy.withUTF8 { buffer in
            var start = 0
            var end = buffer.count
            while start < end, buffer[start] == 0x20 || buffer[start] == 0x09 { start += 1 }
            while end > start, buffer[end - 1] == 0x20 || buffer[end - 1] == 0x09 { end -= 1 }
            return body(UnsafeBufferPointer(rebasing: buffer[start..<end]))
        }
    }
}
