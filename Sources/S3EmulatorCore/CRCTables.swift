/// Slicing-by-8 tables and kernels for the reflected CRCs (``CRC32``, ``CRC32C``,
/// ``CRC64NVME``). Each table is 8 × 256 entries, built once; the kernels consume eight
/// bytes per step.
enum CRCTables {
    /// Table `k` (entries `k*256 ..< (k+1)*256`) advances a byte through `k` further zero bytes.
    static func make32(reflectedPolynomial polynomial: UInt32) -> [UInt32] {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 {
                crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            table[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = table[(slice - 1) * 256 + index]
                table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }

    static func make64(reflectedPolynomial polynomial: UInt64) -> [UInt64] {
        var table = [UInt64](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt64(index)
            for _ in 0..<8 {
                crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            table[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = table[(slice - 1) * 256 + index]
                table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }

    /// Advances a (pre-inverted) 32-bit CRC register over `buffer`.
    @inline(__always)
    static func update32(_ register: UInt32, _ buffer: UnsafeRawBufferPointer, table: [UInt32]) -> UInt32 {
        guard var pointer = buffer.baseAddress, buffer.count > 0 else { return register }
        var remaining = buffer.count
        var crc = register
        table.withUnsafeBufferPointer { table in
            guard let t = table.baseAddress, table.count == 8 * 256 else { return }
            while remaining >= 8 {
                let one = UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self)) ^ crc
                let two = UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                let high = t[1792 + Int(one & 0xFF)] ^ t[1536 + Int((one >> 8) & 0xFF)]
                    ^ t[1280 + Int((one >> 16) & 0xFF)] ^ t[1024 + Int(one >> 24)]
                let low = t[768 + Int(two & 0xFF)] ^ t[512 + Int((two >> 8) & 0xFF)]
                    ^ t[256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
                crc = high ^ low
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                let byte = pointer.load(as: UInt8.self)
                crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
                pointer += 1
                remaining -= 1
            }
        }
        return crc
    }

    /// Advances a (pre-inverted) 64-bit CRC register over `buffer`.
    @inline(__always)
    static func update64(_ register: UInt64, _ buffer: UnsafeRawBufferPointer, table: [UInt64]) -> UInt64 {
        guard var pointer = buffer.baseAddress, buffer.count > 0 else { return register }
        var remaining = buffer.count
        var crc = register
        table.withUnsafeBufferPointer { table in
            guard let t = table.baseAddress, table.count == 8 * 256 else { return }
            while remaining >= 8 {
                let word = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)) ^ crc
                let high = t[1792 + Int(word & 0xFF)] ^ t[1536 + Int((word >> 8) & 0xFF)]
                    ^ t[1280 + Int((word >> 16) & 0xFF)] ^ t[1024 + Int((word >> 24) & 0xFF)]
                let low = t[768 + Int((word >> 32) & 0xFF)] ^ t[512 + Int((word >> 40) & 0xFF)]
                    ^ t[256 + Int((word >> 48) & 0xFF)] ^ t[Int(word >> 56)]
                crc = high ^ low
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                let byte = pointer.load(as: UInt8.self)
                crc = t[Int((crc ^ UInt64(byte)) & 0xFF)] ^ (crc >> 8)
                pointer += 1
                remaining -= 1
            }
        }
        return crc
    }

    // MARK: Combination (zlib's crc32_combine, for any reflected CRC with all-ones init and xorout)

    /// `a * b mod P` in GF(2), both reflected (the x⁰ coefficient is the top bit).
    static func multiplyModulo<Value: FixedWidthInteger & UnsignedInteger>(
        _ a: Value, _ b: Value, reflectedPolynomial polynomial: Value
    ) -> Value {
        var mask: Value = 1 << (Value.bitWidth - 1)
        var product: Value = 0
        var b = b
        var a = a
        while a != 0 {
            if a & mask != 0 {
                product ^= b
                a ^= mask
            }
            mask >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// `x^(8·length) mod P`, reflected: the operator that advances a CRC over `length` zero bytes.
    static func zeroBytesOperator<Value: FixedWidthInteger & UnsignedInteger>(
        length: Int64, reflectedPolynomial polynomial: Value
    ) -> Value {
        var result: Value = 1 << (Value.bitWidth - 1)  // x⁰
        var square: Value = 1 << (Value.bitWidth - 9)  // x⁸: one zero byte
        var remaining = UInt64(max(0, length))
        while remaining != 0 {
            if remaining & 1 != 0 {
                result = multiplyModulo(result, square, reflectedPolynomial: polynomial)
            }
            square = multiplyModulo(square, square, reflectedPolynomial: polynomial)
            remaining >>= 1
        }
        return result
    }

    /// The CRC of `A + B` from the CRC of `A`, the CRC of `B` and the length of `B`.
    static func combine<Value: FixedWidthInteger & UnsignedInteger>(
        _ first: Value, _ second: Value, secondLength: Int64, reflectedPolynomial polynomial: Value
    ) -> Value {
        guard secondLength > 0 else { return first }
        let shift = zeroBytesOperator(length: secondLength, reflectedPolynomial: polynomial)
        return multiplyModulo(shift, first, reflectedPolynomial: polynomial) ^ second
    }

    /// The bytes of `value`, most significant first.
    static func bigEndianBytes<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        let size = Value.bitWidth / 8
        var out = [UInt8](repeating: 0, count: size)
        for index in 0..<size {
            out[index] = UInt8(truncatingIfNeeded: value >> ((size - 1 - index) * 8))
        }
        return out
    }
}
