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
        withUTF8(rawQuery) { query -> [(name: String, value: String?)]? in
            var parameters: [(name: String, value: String?)] = []
            var failed = false
            forEachQueryPart(in: query) { name, value in
                guard let name = decode(UnsafeBufferPointer(rebasing: query[name]), plusIsSpace: true) else {
                    failed = true
                    return false
                }
                if let value {
                    guard let value = decode(UnsafeBufferPointer(rebasing: query[value]), plusIsSpace: true) else {
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
    }

    /// Calls `body` with each `&`-separated part of a raw query string, split on its first `=`
    /// (the value is nil without one), still encoded, in order; empty parts are skipped. Stops
    /// when `body` returns false. Nothing is allocated for the parts.
    public static func forEachQueryPart(_ rawQuery: String, _ body: (Substring, Substring?) -> Bool) {
        withUTF8(rawQuery) { query in
            let utf8 = rawQuery.utf8
            // The parts are split at ASCII bytes, so every offset is a character boundary.
            func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
            forEachQueryPart(in: query) { name, value in
                let rawName = rawQuery[index(name.lowerBound)..<index(name.upperBound)]
                return body(rawName, value.map { rawQuery[index($0.lowerBound)..<index($0.upperBound)] })
            }
        }
    }

    /// The byte-level form of ``forEachQueryPart(_:_:)``: `body` gets the byte ranges of each
    /// part's name and value in `query`.
    public static func forEachQueryPart(in query: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Range<Int>?) -> Bool) {
        let count = query.count
        var start = 0
        while start < count {
            var end = start
            var equals = -1
            while end < count {
                let byte = query[end]
                if byte == UInt8(ascii: "&") { break }
                if byte == UInt8(ascii: "="), equals < 0 { equals = end }
                end += 1
            }
            if start != end {
                let keepGoing = equals < 0 ? body(start..<end, nil) : body(start..<equals, (equals + 1)..<end)
                if !keepGoing { return }
            }
            start = end + 1
        }
    }

    /// Decodes `%XX` escapes in `bytes` (and `+` to a space when `plusIsSpace`). Nil when an
    /// escape is not two hex digits or the decoded bytes are not valid UTF-8.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String? {
        var needsDecoding = false
        for byte in bytes where byte == UInt8(ascii: "%") || (plusIsSpace && byte == UInt8(ascii: "+")) {
            needsDecoding = true
            break
        }
        guard needsDecoding else {
            guard UTF8Validation.isValid(bytes) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        var failed = false
        let decoded = [UInt8](unsafeUninitializedCapacity: bytes.count) { out, written in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else {
                        failed = true
                        return
                    }
                    out[written] = high << 4 | low
                    index += 3
                } else {
                    out[written] = plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte
                    index += 1
                }
                written += 1
            }
        }
        guard !failed, UTF8Validation.isValid(decoded) else { return nil }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Whether ``decode(_:plusIsSpace:)`` succeeds on `bytes`, which are a Swift string's UTF-8
    /// (so valid): every escape is `%` and two hex digits, and the decoded bytes are valid UTF-8.
    /// Decodes (and allocates) only when an escape stands for a byte outside ASCII; an ASCII
    /// escape sits between whole characters and decodes to a whole one.
    public static func decodes(validUTF8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "%") else {
                index += 1
                continue
            }
            guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), hexValue(bytes[index + 2]) != nil else {
                return false
            }
            if high >= 8 {
                return decode(bytes, plusIsSpace: false) != nil
            }
            index += 3
        }
        return true
    }

    /// Runs `body` on the UTF-8 bytes of `string`, copying them only when the string is not
    /// stored as contiguous UTF-8 (a bridged or lazily converted string).
    @inlinable
    public static func withUTF8<Result>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try string.utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        var copy = string
        return try copy.withUTF8(body)
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
        if let decoded = string.utf8.withContiguousStorageIfAvailable({ decode($0, plusIsSpace: plusIsSpace) }) {
            return decoded
        }
        return withUTF8(String(string)) { decode($0, plusIsSpace: plusIsSpace) }
    }
}
