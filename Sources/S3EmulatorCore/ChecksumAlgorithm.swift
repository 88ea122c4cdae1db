/// The additional checksum algorithms of S3 (`x-amz-checksum-algorithm`,
/// `x-amz-sdk-checksum-algorithm`, `x-amz-checksum-*`).
///
/// ```swift
/// ChecksumAlgorithm(algorithmName: "crc32c")?.headerName    // "x-amz-checksum-crc32c"
/// ChecksumAlgorithm(headerName: "X-Amz-Checksum-SHA256")     // .sha256
/// ```
public enum ChecksumAlgorithm: String, Sendable, CaseIterable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// The header carrying this checksum, lowercase: `x-amz-checksum-crc32`, ….
    public var headerName: String {
        switch self {
        case .crc32: "x-amz-checksum-crc32"
        case .crc32c: "x-amz-checksum-crc32c"
        case .crc64nvme: "x-amz-checksum-crc64nvme"
        case .sha1: "x-amz-checksum-sha1"
        case .sha256: "x-amz-checksum-sha256"
        }
    }

    /// The digest size in bytes (before base64).
    public var digestLength: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .crc64nvme: 8
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The algorithm whose checksum header is `headerName`, compared case-insensitively.
    public init?(headerName: String) {
        guard let match = Self.allCases.first(where: { Self.equalsIgnoringASCIICase($0.headerName, headerName) }) else {
            return nil
        }
        self = match
    }

    /// The algorithm named `algorithmName` (`CRC32`, `crc32c`, …), compared case-insensitively.
    public init?(algorithmName: String) {
        guard let match = Self.allCases.first(where: { Self.equalsIgnoringASCIICase($0.rawValue, algorithmName) }) else {
            return nil
        }
        self = match
    }

    static func equalsIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        for (left, right) in zip(lhs.utf8, rhs.utf8) where lowercased(left) != lowercased(right) {
            return false
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
