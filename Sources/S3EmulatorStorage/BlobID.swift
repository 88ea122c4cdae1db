/// Blob ids: 32 lowercase hex characters (128 random bits). They name files under `blobs/`;
/// an object key never does.
enum BlobID {
    static let length = 32

    /// A new random id from the system's cryptographic generator.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<2 {
            var word: UInt64 = generator.next()
            for _ in 0..<16 {
                bytes.append(digits[Int(word & 0xF)])
                word >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `id` has the shape of a blob id, so it can name a file without escaping its directory.
    static func isValid(_ id: String) -> Bool {
        id.utf8.count == length && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
