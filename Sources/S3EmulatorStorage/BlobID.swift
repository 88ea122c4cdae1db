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
        make(millisecondsOf: nil, suffix: "")
    }

    /// The milliseconds since 1970 of `date` as 12 lowercase hex digits (enough until the year
    /// 10889), so that strings made later sort after strings made earlier.
    static func millisecondsHex(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: 12) { buffer in
            writeMilliseconds(of: date, to: buffer)
            return 12
        }
    }

    /// A new id of 32 hex digits that starts with the time (``millisecondsHex(_:)``) and goes on
    /// with 80 random bits: ids made later sort after, so an index of them grows at one end.
    static func timeOrdered(_ date: Date = Date()) -> String {
        make(millisecondsOf: date, suffix: "")
    }

    /// A new random id of a composite blob.
    static func randomComposite() -> String {
        make(millisecondsOf: nil, suffix: compositeSuffix)
    }

    /// A new id of an inline blob, time-ordered (``timeOrdered(_:)``).
    ///
    /// Random ids scattered each PUT's insert (and the delete of the blob it replaced) over the
    /// whole `inline_blobs` id index: at 100 000 small objects every commit dirtied index pages
    /// all over the file, and the WAL checkpoints wrote and synced them, about 20% of a small
    /// PUT's CPU. Time-ordered ids keep the inserts on the index's last pages.
    public static func randomInline() -> String {
        make(millisecondsOf: Date(), suffix: inlineSuffix)
    }

    /// ``length`` lowercase hex digits, the first 12 of them the time of `date` when there is
    /// one (``millisecondsHex(_:)``) and the rest from the system's cryptographic generator,
    /// then `suffix`; written in place (a small PUT makes one for every object).
    private static func make(millisecondsOf date: Date?, suffix: String) -> String {
        String(unsafeUninitializedCapacity: length + suffix.utf8.count) { buffer in
            var next = 0
            if let date {
                writeMilliseconds(of: date, to: buffer)
                next = 12
            }
            var generator = SystemRandomNumberGenerator()
            var word: UInt64 = 0
            for (count, index) in (next..<length).enumerated() {
                if count % 16 == 0 {
                    word = generator.next()
                }
                buffer[index] = hexDigit(word & 0xF)
                word >>= 4
            }
            var end = length
            for byte in suffix.utf8 {
                buffer[end] = byte
                end += 1
            }
            return end
        }
    }

    /// Writes ``millisecondsHex(_:)`` of `date` to the first 12 bytes of `buffer`.
    private static func writeMilliseconds(of date: Date, to buffer: UnsafeMutableBufferPointer<UInt8>) {
        var milliseconds = UInt64(max(0, min(date.timeIntervalSince1970 * 1000, 0xFFFF_FFFF_FFFF)))
        for index in (0..<12).reversed() {
            buffer[index] = hexDigit(milliseconds & 0xF)
            milliseconds >>= 4
        }
    }

    /// The lowercase hex digit of `value` (0...15).
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + UInt8(value) : UInt8(ascii: "a") + UInt8(value - 10)
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
