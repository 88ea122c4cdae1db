/// Standard base64 (RFC 4648 §4, `+` `/`, `=` padding), as S3 uses for `Content-MD5` and
/// the `x-amz-checksum-*` headers.
///
/// ```swift
/// Base64.encode([0xCB, 0xF4, 0x39, 0x26])   // "y/Q5Jg=="
/// Base64.decode("y/Q5Jg==")                 // [0xCB, 0xF4, 0x39, 0x26]
/// Base64.decode("y/Q5Jg")                   // nil: padding is required
/// ```
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 255 marks a byte outside the alphabet.
    static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// The padded base64 text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3F)])
            out.append(alphabet[Int(group >> 12 & 0x3F)])
            out.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 0x3F)])
            out.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of padded standard base64 text, or nil when the text is not that: a length
    /// that is not a multiple of 4, a character outside the alphabet (white space and the
    /// URL-safe `-` `_` included), or `=` anywhere but the last one or two places.
    /// Unused low bits in the final group are not checked (as most decoders, Java's included).
    public static func decode(_ string: String) -> [UInt8]? {
        let utf8 = string.utf8
        guard utf8.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 4 * 3)
        let table = decodingTable
        var quad: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var index = 0
        let total = utf8.count
        var iterator = utf8.makeIterator()
        while index < total {
            guard let c0 = iterator.next(), let c1 = iterator.next(), let c2 = iterator.next(), let c3 = iterator.next()
            else { return nil }
            index += 4
            let isLast = index == total
            quad = (table[Int(c0)], table[Int(c1)], table[Int(c2)], table[Int(c3)])
            guard quad.0 != 255, quad.1 != 255 else { return nil }
            let padded2 = c2 == UInt8(ascii: "=")
            let padded3 = c3 == UInt8(ascii: "=")
            if padded2 || padded3 {
                // Padding only in the final group: "xx==" or "xxx=".
                guard isLast, padded3, padded2 || quad.2 != 255 else { return nil }
            } else {
                guard quad.2 != 255, quad.3 != 255 else { return nil }
            }
            out.append(quad.0 << 2 | quad.1 >> 4)
            if !padded2 { out.append(quad.1 << 4 | quad.2 >> 2) }
            if !padded3 { out.append(quad.2 << 6 | quad.3) }
        }
        return out
    }
}
