import S3EmulatorCore

/// Writes bytes into a buffer of fixed capacity, checking every write against it: the canonical
/// request and the string to sign are built in place, in one allocation, from an upper bound of
/// their size.
struct ByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The bytes written so far; lowering it drops the last ones.
    var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// A string of at most `capacity` bytes of UTF-8, written by `body`.
    static func string(capacity: Int, _ body: (inout ByteWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: max(capacity, 1)) { buffer in
            var writer = ByteWriter(buffer)
            body(&writer)
            return writer.count
        }
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < buffer.count, "ByteWriter: capacity exceeded")
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ first: UInt8, _ second: UInt8, _ third: UInt8) {
        precondition(count + 3 <= buffer.count, "ByteWriter: capacity exceeded")
        buffer[count] = first
        buffer[count + 1] = second
        buffer[count + 2] = third
        count += 3
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "ByteWriter: capacity exceeded")
        UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: String) {
        URIEncoding.withUTF8(text) { append($0) }
    }

    /// The bytes written in `range` (valid until they are overwritten).
    func written(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        precondition(range.upperBound <= count)
        return UnsafeBufferPointer(rebasing: buffer[range])
    }
}
