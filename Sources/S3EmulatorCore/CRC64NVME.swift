/// CRC-64/NVME (polynomial 0xAD93D23594C93659, reflected 0x9A6C9329AC4BC9B5): the checksum S3
/// carries in `x-amz-checksum-crc64nvme` (big-endian bytes, base64).
///
/// Incremental; slicing-by-8 over tables built once.
///
/// ```swift
/// var crc = CRC64NVME()
/// crc.update(Array("123456789".utf8))
/// crc.value                                // 0xAE8B14860A799888
/// Base64.encode(crc.bigEndianBytes)        // the x-amz-checksum-crc64nvme value
/// ```
public struct CRC64NVME: Sendable, Equatable {
    static let table = CRCTables.make64(reflectedPolynomial: 0x9A6C9329AC4BC9B5)

    /// The running register, inverted (initial value all ones).
    private var register: UInt64 = ~0

    public init() {}

    /// Adds bytes to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = CRCTables.update64(register, bytes, table: Self.table)
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
    public var value: UInt64 { ~register }

    /// The checksum of two byte sequences joined, from the checksum of each and the length
    /// of the second, without reading the bytes again (for full-object checksums of
    /// multipart uploads).
    ///
    /// ```swift
    /// CRC64NVME.combine(checksumOfA, checksumOfB, secondLength: Int64(b.count))  // checksum of a + b
    /// ```
    public static func combine(_ first: UInt64, _ second: UInt64, secondLength: Int64) -> UInt64 {
        CRCTables.combine(first, second, secondLength: secondLength, reflectedPolynomial: 0x9A6C9329AC4BC9B5)
    }

    /// ``value`` as big-endian bytes, the form S3 base64-encodes.
    public var bigEndianBytes: [UInt8] { CRCTables.bigEndianBytes(value) }
}
