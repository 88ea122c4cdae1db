/// CRC-32 (ISO-HDLC, the zlib CRC; reflected polynomial 0xEDB88320): the checksum S3 carries
/// in `x-amz-checksum-crc32` (big-endian bytes, base64).
///
/// Incremental; slicing-by-8 over tables built once.
///
/// ```swift
/// var crc = CRC32()
/// crc.update(Array("123456789".utf8))
/// crc.value                                // 0xCBF43926
/// Base64.encode(crc.bigEndianBytes)        // the x-amz-checksum-crc32 value
/// ```
public struct CRC32: Sendable, Equatable {
    static let table = CRCTables.make32(reflectedPolynomial: 0xEDB88320)

    /// The running register, inverted (initial value all ones).
    private var register: UInt32 = ~0

    public init() {}

    /// Adds bytes to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = CRCTables.update32(register, bytes, table: Self.table)
    }

    /// Adds bytes to the checksum (any sequence; contiguous storage takes the fast path).
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        guard handled == nil else { return }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(4096)
        for byte in bytes {
            chunk.append(byte)
            if chunk.count == 4096 {
                chunk.withUnsafeBytes { update($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.withUnsafeBytes { update($0) }
    }

    /// The checksum of everything added so far.
    public var value: UInt32 { ~register }

    /// The checksum of two byte sequences joined, from the checksum of each and the length
    /// of the second, without reading the bytes again (for full-object checksums of
    /// multipart uploads).
    ///
    /// ```swift
    /// CRC32.combine(checksumOfA, checksumOfB, secondLength: Int64(b.count))  // checksum of a + b
    /// ```
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        CRCTables.combine(first, second, secondLength: secondLength, reflectedPolynomial: 0xEDB88320)
    }

    /// ``value`` as big-endian bytes, the form S3 base64-encodes.
    public var bigEndianBytes: [UInt8] { CRCTables.bigEndianBytes(value) }
}
