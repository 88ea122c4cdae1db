import Foundation
import S3EmulatorCore

/// Byte-level helpers of signing: hex, percent-decoding, constant-time comparison.
enum AuthBytes {
    private static let lowercaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `bytes` as lowercase hex, two digits a byte.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = lowercaseHexDigits[Int(byte >> 4)]
                out[2 * index + 1] = lowercaseHexDigits[Int(byte & 0x0F)]
            }
            return 2 * bytes.count
        }
    }

    /// A digest or message authentication code as lowercase hex.
    static func hex(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }

    /// The UTF-8 bytes of `text` as S3 lists them in `StringToSignBytes` and
    /// `CanonicalRequestBytes`: lowercase hex pairs separated by single spaces.
    static func spacedHex(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if !out.isEmpty { out.append(0x20) }
            out.append(lowercaseHexDigits[Int(byte >> 4)])
            out.append(lowercaseHexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of an ASCII hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Whether `text` is exactly `count` hex digits (either case).
    static func isHex(_ text: some StringProtocol, count: Int) -> Bool {
        var seen = 0
        for byte in text.utf8 {
            guard hexValue(byte) != nil else { return false }
            seen += 1
        }
        return seen == count
    }

    /// A query parameter's value decoded (`+` as a space when `plusIsSpace`); the raw text when it
    /// does not decode (a stray `%`, invalid UTF-8), so a bad escape is compared as sent.
    static func percentDecoded(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        let substring = Substring(text)
        let decoded = plusIsSpace ? URIEncoding.formDecode(substring) : URIEncoding.percentDecode(substring)
        return decoded ?? String(text)
    }

    /// Compares two byte strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }

    /// Compares a computed lowercase hex signature with the one the client sent, accepting the
    /// client's in either case, in constant time.
    static func hexSignatureMatches(computed: String, provided: String) -> Bool {
        URIEncoding.withUTF8(computed) { computed in
            URIEncoding.withUTF8(provided) { provided in
                constantTimeEquals(computed, provided.lazy.map(asciiLowercased))
            }
        }
    }

    /// `byte`, lowered when it is an ASCII capital letter.
    @inline(__always)
    static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Whether `bytes` spell `lowercased` in any ASCII letter case.
    static func equalsIgnoringASCIICase(_ bytes: some Collection<UInt8>, lowercased: some Collection<UInt8>) -> Bool {
        bytes.count == lowercased.count && zip(bytes, lowercased).allSatisfy { asciiLowercased($0) == $1 }
    }
}
