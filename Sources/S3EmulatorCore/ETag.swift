/// An object's entity tag: the hex MD5 of its content, or for a multipart upload the hex
/// MD5 of the parts' binary MD5s followed by `-` and the part count.
///
/// ```swift
/// let etag = ETag(md5: digest)          // value "9b2cf535f27731c974343645a3985328"
/// response.headers["ETag"] = etag.quoted // "\"9b2cf535f27731c974343645a3985328\""
/// ```
public struct ETag: Sendable, Hashable, CustomStringConvertible {
    /// The tag without quotes, for example `9b2cf535f27731c974343645a3985328` or
    /// `3858f62230ac3c915f300c664312c11f-9`.
    public let value: String

    /// The lowercase hex of an MD5 digest.
    public init(md5 digest: some Collection<UInt8>) {
        self.value = Self.lowercaseHex(digest)
    }

    /// A multipart upload's ETag: the hex of the MD5 over the parts' MD5s, `-`, the part count.
    public init(multipartMD5 digest: some Collection<UInt8>, partCount: Int) {
        self.value = Self.lowercaseHex(digest) + "-" + String(partCount)
    }

    /// An ETag from its unquoted text.
    public init(unquoted: String) {
        self.value = unquoted
    }

    /// The tag in double quotes, as the `ETag` header and S3's XML carry it.
    public var quoted: String { "\"" + value + "\"" }

    /// The part count of a multipart ETag (`…-9` → 9); nil for a single-part ETag.
    public var partCount: Int? {
        guard let dash = value.lastIndex(of: "-") else { return nil }
        return Int(value[value.index(after: dash)...])
    }

    public var description: String { quoted }

    static let lowercaseHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func lowercaseHex(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(lowercaseHexDigits[Int(byte >> 4)])
            out.append(lowercaseHexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
