/// The naming rules of S3 general purpose buckets.
///
/// 3–63 characters of lowercase letters, digits, `.` and `-`; a letter or digit at both
/// ends; no `..`; not shaped like an IPv4 address; none of the reserved prefixes
/// (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`,
/// `--x-s3`, `--table-s3`).
///
/// ```swift
/// try BucketName.validate("my-bucket")   // fine
/// try BucketName.validate("My_Bucket")   // throws InvalidBucketName
/// ```
public enum BucketName {
    /// The shortest accepted name.
    public static let minLength = 3
    /// The longest accepted name.
    public static let maxLength = 63

    static let reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
    static let reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]

    /// Throws `InvalidBucketName` (with a `BucketName` element) when `name` breaks a rule.
    public static func validate(_ name: String) throws(S3Error) {
        guard isValid(name) else {
            throw S3Error(.invalidBucketName, details: [("BucketName", name)])
        }
    }

    /// True when `name` follows every general purpose bucket naming rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard bytes.count >= minLength, bytes.count <= maxLength else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                break
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { return false }
            default:
                return false
            }
            previous = byte
        }
        guard let first = bytes.first, let last = bytes.last, isLetterOrDigit(first), isLetterOrDigit(last) else {
            return false
        }
        if looksLikeIPv4Address(bytes) { return false }
        for prefix in reservedPrefixes where name.hasPrefix(prefix) { return false }
        for suffix in reservedSuffixes where name.hasSuffix(suffix) { return false }
        return true
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Four dot-separated groups of one to three digits, like `192.168.5.4`.
    private static func looksLikeIPv4Address(_ bytes: String.UTF8View) -> Bool {
        var groups = 1
        var digitsInGroup = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digitsInGroup > 0 else { return false }
                groups += 1
                digitsInGroup = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digitsInGroup += 1
                guard digitsInGroup <= 3 else { return false }
            } else {
                return false
            }
        }
        return groups == 4 && digitsInGroup > 0
    }
}
