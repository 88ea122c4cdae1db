import Foundation

/// Blob ids: 32 lowercase hex characters (128 random bits) for a blob of bytes, and the same
/// followed by ``compositeSuffix`` for a composite blob (a list of blobs read as one, see
/// ``BlobStore/makeComposite(of:)``). They name files under `blobs/`; an object key never does.
///
/// An inline blob (the bytes of a small object, kept in the metadata database with its row, see
/// ``MetadataStore/putObject(_:inlineBytes:precondition:)``) has 32 hex characters too, followed by
/// ``inlineSuffix``; it never names a file. Its first 12 are the time in milliseconds
/// (``timeOrdered(_:)``), so that new ids go to one end of the `inline_blobs` id index.
public enum BlobID {
    static let length = 32
    /// What ends the id of a composite blob.
    static let compositeSuffix = ".parts"
    /// What ends the id of an inline blob.
    static let inlineSuffix = ".inline"

    /// A new random id from the system's cryptographic generator.
    static func random() -> String {
        randomHex(length)
    }

    /// `count` random lowercase hex digits from the system's cryptographic generator.
    private static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var word: UInt64 = 0
        for index in 0..<count {
            if index % 16 == 0 {
                word = generator.next()
            }
            bytes.append(digits[Int(word & 0xF)])
            word >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The milliseconds since 1970 of `date` as 12 lowercase hex digits (enough until the year
    /// 10889), so that strings made later sort after strings made earlier.
    static func millisecondsHex(_ date: Date) -> String {
        let milliseconds = UInt64(max(0, min(date.timeIntervalSince1970 * 1000, 0xFFFF_FFFF_FFFF)))
        let hex = String(milliseconds, radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    /// A new id of 32 hex digits that starts with the time (``millisecondsHex(_:)``) and goes on
    /// with 80 random bits: ids made later sort after, so an index of them grows at one end.
    static func timeOrdered(_ date: Date = Date()) -> String {
        millisecondsHex(date) + randomHex(length - 12)
    }

    /// A new random id of a composite blob.
    static func randomComposite() -> String {
        random() + compositeSuffix
    }

    /// A new id of an inline blob, time-ordered (``timeOrdered(_:)``).
    ///
    /// Random ids scattered each PUT's insert (and the delete of the blob it replaced) over the
    /// whole `inline_blobs` id index: at 100 000 small objects every commit dirtied index pages
    /// all over the file, and the WAL checkpoints wrote and synced them, about 20% of a small
    /// PUT's CPU. Time-ordered ids keep the inserts on the index's last pages.
    public static func randomInline() -> String {
        timeOrdered() + inlineSuffix
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
