/// Blob ids: 32 lowercase hex characters (128 random bits) for a blob of bytes, and the same
/// followed by ``compositeSuffix`` for a composite blob (a list of blobs read as one, see
/// ``BlobStore/makeComposite(of:)``). They name files under `blobs/`; an object key never does.
///
/// An inline blob (the bytes of a small object, kept in the metadata database with its row, see
/// ``MetadataStore/putObject(_:inlineBytes:precondition:)``) has the same 32 characters followed by
/// ``inlineSuffix``; it never names a file.
public enum BlobID {
    static let length = 32
    /// What ends the id of a composite blob.
    static let compositeSuffix = ".parts"
    /// What ends the id of an inline blob.
    static let inlineSuffix = ".inline"

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

    /// A new random id of a composite blob.
    static func randomComposite() -> String {
        random() + compositeSuffix
    }

    /// A new random id of an inline blob.
    public static func randomInline() -> String {
        random() + inlineSuffix
    }

    /// True when `id` names an inline blob: bytes in the metadata database, not in a file.
    public static func isInline(_ id: String) -> Bool {
        id.utf8.count == length + inlineSuffix.utf8.count && id.hasSuffix(inlineSuffix)
            && id.utf8.prefix(length).allSatisfy(isHexDigit)
    }

    /// True when `id` has the shape of a blob id (plain or composite), so it can name a file
    /// without escaping its directory.
    static func isValid(_ id: String) -> Bool {
        isPlain(id) || isComposite(id)
    }

    /// True when `id` names a blob of bytes.
    static func isPlain(_ id: String) -> Bool {
        id.utf8.count == length && id.utf8.allSatisfy(isHexDigit)
    }

    /// True when `id` names a composite blob.
    static func isComposite(_ id: String) -> Bool {
        id.utf8.count == length + compositeSuffix.utf8.count && id.hasSuffix(compositeSuffix)
            && id.utf8.prefix(length).allSatisfy(isHexDigit)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
