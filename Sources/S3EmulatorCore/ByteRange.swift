/// A single byte range from a `Range` request header (RFC 9110 §14.1.2).
///
/// S3 serves one range per request. A header that is not one syntactically valid byte
/// range (several ranges, another unit, a last position before the first, garbage) is
/// ignored: S3 answers 200 with the whole object. A valid range that selects nothing is
/// answered 416 `InvalidRange`.
///
/// ```swift
/// if let range = ByteRange.parse(header) {
///     guard let bytes = range.resolve(size: object.size) else { throw S3Error(.invalidRange) }
///     // 206, Content-Range: bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(object.size)
/// }
/// ```
public enum ByteRange: Sendable, Equatable {
    /// `bytes=a-b` (`through: b`) or `bytes=a-` (`through: nil`).
    case from(Int64, through: Int64?)
    /// `bytes=-n`: the last `n` bytes.
    case suffix(Int64)

    /// The range in `header`, or nil when the header is not one valid byte range.
    ///
    /// The unit is case-insensitive; white space is allowed only around the whole value
    /// (`bytes = 0-9` is invalid, as RFC 9110's grammar has no white space there). Positions too large for `Int64` saturate at `Int64.max` (a first position
    /// that large is then unsatisfiable; a last position that large clamps to the end).
    public static func parse(_ header: String) -> ByteRange? {
        var header = header
        return header.withUTF8 { bytes -> ByteRange? in
            var index = 0
            let count = bytes.count
            func skipWhitespace() {
                while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            }
            func number() -> Int64? {
                let start = index
                var value: Int64 = 0
                while index < count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    let digit = Int64(bytes[index] - UInt8(ascii: "0"))
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflow2) = times10.addingReportingOverflow(digit)
                    value = overflow1 || overflow2 ? Int64.max : sum
                    index += 1
                }
                return index > start ? value : nil
            }

            skipWhitespace()
            for expected in "bytes".utf8 {
                guard index < count, bytes[index] | 0x20 == expected else { return nil }
                index += 1
            }
            guard index < count, bytes[index] == UInt8(ascii: "=") else { return nil }
            index += 1

            let range: ByteRange
            if index < count, bytes[index] == UInt8(ascii: "-") {
                index += 1
                guard let length = number() else { return nil }
                range = .suffix(length)
            } else {
                guard let first = number(), index < count, bytes[index] == UInt8(ascii: "-") else { return nil }
                index += 1
                if let last = number() {
                    guard last >= first else { return nil }
                    range = .from(first, through: last)
                } else {
                    range = .from(first, through: nil)
                }
            }
            skipWhitespace()
            // Anything left over, a second range included, makes the header invalid.
            return index == count ? range : nil
        }
    }

    /// The inclusive byte positions selected in an object of `size` bytes, or nil when the
    /// range is unsatisfiable (416 `InvalidRange`): a first position at or past the end, a
    /// zero-length suffix, or an empty object. A last position past the end is clamped.
    public func resolve(size: Int64) -> ClosedRange<Int64>? {
        guard size > 0 else { return nil }
        switch self {
        case .from(let first, let last):
            guard first >= 0, first < size else { return nil }
            let end = min(last ?? (size - 1), size - 1)
            guard end >= first else { return nil }
            return first...end
        case .suffix(let length):
            guard length > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }
}
