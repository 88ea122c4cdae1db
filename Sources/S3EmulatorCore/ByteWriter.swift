/// Writes bytes into a buffer of fixed capacity, checking every write against it: the canonical
/// request, the string to sign and a response head are built in place, in one allocation, from
/// an upper bound of their size.
public struct ByteWriter {
    @usableFromInline let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The bytes written so far; lowering it drops the last ones.
    public var count = 0

    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// A string of at most `capacity` bytes of UTF-8, written by `body`.
    public static func string(capacity: Int, _ body: (inout ByteWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: max(capacity, 1)) { buffer in
            var writer = ByteWriter(buffer)
            body(&writer)
            return writer.count
        }
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        precondition(count < buffer.count, "ByteWriter: capacity exceeded")
        buffer[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ first: UInt8, _ second: UInt8) {
        precondition(count + 2 <= buffer.count, "ByteWriter: capacity exceeded")
        buffer[count] = first
        buffer[count + 1] = second
        count += 2
    }

    @inlinable @inline(__always)
    public mutating func append(_ first: UInt8, _ second: UInt8, _ third: UInt8) {
        precondition(count + 3 <= buffer.count, "ByteWriter: capacity exceeded")
        buffer[count] = first
        buffer[count + 1] = second
        buffer[count + 2] = third
        count += 3
    }

    @inlinable
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "ByteWriter: capacity exceeded")
        UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    @inlinable
    public mutating func append(_ text: String) {
        URIEncoding.withUTF8(text) { append($0) }
    }

    @inlinable
    public mutating func append(_ text: StaticString) {
        append(text.utf8Bytes)
    }

    /// `value` in decimal.
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    /// The bytes written in `range` (valid until they are overwritten).
    @inlinable
    public func written(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        precondition(range.upperBound <= count)
        return UnsafeBufferPointer(rebasing: buffer[range])
    }
}

extension StaticString {
    /// The literal's UTF-8 bytes, to compare with or copy (a string literal always has them).
    @inlinable
    public var utf8Bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}
