/// Version ids as the store assigns them: 32 characters of `[A-Za-z0-9._]`, random (192 bits),
/// URL-safe without escaping, like S3's opaque ids.
public enum VersionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._".utf8)
    /// The length of every assigned id.
    public static let length = 32

    /// A new random version id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64)
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for word in [words.0, words.1, words.2] {
            var bits = word
            for _ in 0..<10 {
                bytes.append(alphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        // The top 4 bits of each word, unused above: 12 bits, two more characters.
        let rest = words.0 >> 60 | (words.1 >> 60) << 4 | (words.2 >> 60) << 8
        bytes.append(alphabet[Int(rest & 63)])
        bytes.append(alphabet[Int(rest >> 6)])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `text` has the shape of an id this store assigns (it may still name no version).
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == length && utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
    }
}
