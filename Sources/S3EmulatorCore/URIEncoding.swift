/// Percent-decoding of request paths and query strings, and SigV4's `UriEncode`.
///
/// ```swift
/// URIEncoding.percentDecode("photos/my%20cat.jpg")      // "photos/my cat.jpg"
/// URIEncoding.formDecode("a+b%2Bc")                      // "a b+c"
/// URIEncoding.encode("a b/c~", encodeSlash: false)       // "a%20b/c~"
/// URIEncoding.parseQuery("uploads&prefix=a%2Fb")         // [("uploads", nil), ("prefix", "a/b")]
/// ```
public enum URIEncoding {
    /// Decodes `%XX` escapes; `+` stays `+`. Nil when an escape is not two hex digits or the
    /// decoded bytes are not valid UTF-8.
    public static func percentDecode(_ string: Substring) -> String? {
        decode(string, plusIsSpace: false)
    }

    /// Like ``percentDecode(_:)``, but `+` decodes to a space, as in query parameter values.
    public static func formDecode(_ string: Substring) -> String? {
        decode(string, plusIsSpace: true)
    }

    /// SigV4 `UriEncode`: `A–Z a–z 0–9 - . _ ~` stay as they are, every other UTF-8 byte
    /// becomes `%XX` with uppercase hex; `/` stays when `encodeSlash` is false.
    public static func encode(_ string: String, encodeSlash: Bool) -> String {
        let utf8 = string.utf8
        var needsEncoding = false
        for byte in utf8 where !isUnreserved(byte) && (encodeSlash || byte != UInt8(ascii: "/")) {
            needsEncoding = true
            break
        }
        guard needsEncoding else { return string }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) || (!encodeSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits a raw query string on `&`, then each part on its first `=`, and form-decodes
    /// both sides. A part without `=` (`?uploads`) has a nil value; `?acl=` has an empty one.
    /// Order and duplicates are kept; empty parts (`a=1&&b=2`) are skipped. Nil when any
    /// part fails to decode.
    public static func parseQuery(_ rawQuery: String) -> [(name: String, value: String?)]? {
        var parameters: [(name: String, value: String?)] = []
        var failed = false
        forEachQueryPart(rawQuery) { name, value in
            guard let name = formDecode(name) else {
                failed = true
                return false
            }
            if let value {
                guard let value = formDecode(value) else {
                    failed = true
                    return false
                }
                parameters.append((name, value))
            } else {
                parameters.append((name, nil))
            }
            return true
        }
        return failed ? nil : parameters
    }

    /// Calls `body` with each `&`-separated part of a raw query string, split on its first `=`
    /// (the value is nil without one), still encoded, in order; empty parts are skipped. Stops
    /// when `body` returns false. Nothing is allocated for the parts.
    public static func forEachQueryPart(_ rawQuery: String, _ body: (Substring, Substring?) -> Bool) {
        let query = Substring(rawQuery)
        let utf8 = query.utf8
        var start = utf8.startIndex
        while start != utf8.endIndex {
            var end = start
            var equals: String.Index?
            while end != utf8.endIndex {
                let byte = utf8[end]
                if byte == UInt8(ascii: "&") { break }
                if byte == UInt8(ascii: "="), equals == nil { equals = end }
                end = utf8.index(after: end)
            }
            if start != end {
                let keepGoing: Bool
                if let equals {
                    keepGoing = body(query[start..<equals], query[utf8.index(after: equals)..<end])
                } else {
                    keepGoing = body(query[start..<end], nil)
                }
                if !keepGoing { return }
            }
            start = end == utf8.endIndex ? end : utf8.index(after: end)
        }
    }

    // MARK: - Helpers

    static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func decode(_ string: Substring, plusIsSpace: Bool) -> String? {
        let utf8 = string.utf8
        var needsDecoding = false
        for byte in utf8 where byte == UInt8(ascii: "%") || (plusIsSpace && byte == UInt8(ascii: "+")) {
            needsDecoding = true
            break
        }
        guard needsDecoding else { return String(string) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low != utf8.endIndex, let highValue = hexValue(utf8[high]), let lowValue = hexValue(utf8[low]) else {
                    return nil
                }
                out.append(highValue << 4 | lowValue)
                index = utf8.index(after: low)
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        guard UTF8Validation.isValid(out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}
