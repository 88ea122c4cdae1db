import S3EmulatorCore

/// The canonical request of Signature Version 4, built the way S3 builds it.
///
/// ```
/// <method>\n<canonical URI>\n<canonical query>\n<name:value\n for each signed header>\n<signed headers>\n<payload hash>
/// ```
///
/// S3 specifics: the path is not normalized (`//` and `..` stay) and is encoded once; each path byte
/// is decoded from `%XX` when encoded and written back with `UriEncode` (a raw `/` stays a `/`, a
/// `%2F` stays `%2F`, a raw `+` becomes `%2B`). Query names and values are decoded (`+` is a space)
/// and re-encoded, then sorted by name and value. Header values lose the whitespace at their ends
/// and keep one space for each inner run; the values of a repeated header are joined with `,`.
struct CanonicalRequest {
    /// The canonical request text.
    let text: String

    /// - Parameters:
    ///   - signedHeaders: the lowercase header names, in the order of `SignedHeaders`.
    ///   - excludingSignatureParameter: leave `X-Amz-Signature` out of the query (presigned URLs).
    init(head: AuthRequestHead, signedHeaders: [String], payloadHash: String, excludingSignatureParameter: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(256 + head.rawPath.utf8.count + (head.rawQuery?.utf8.count ?? 0) * 2)
        out += head.method.utf8
        out.append(0x0A)
        Self.appendCanonicalURI(head.rawPath, to: &out)
        out.append(0x0A)
        Self.appendCanonicalQuery(head.rawQuery, excludingSignatureParameter: excludingSignatureParameter, to: &out)
        out.append(0x0A)
        for name in signedHeaders {
            out += name.utf8
            out.append(UInt8(ascii: ":"))
            var first = true
            for header in head.headers where header.name == name {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.appendCanonicalHeaderValue(header.value, to: &out)
            }
            out.append(0x0A)
        }
        out.append(0x0A)
        var firstName = true
        for name in signedHeaders {
            if !firstName { out.append(UInt8(ascii: ";")) }
            firstName = false
            out += name.utf8
        }
        out.append(0x0A)
        out += payloadHash.utf8
        text = String(decoding: out, as: UTF8.self)
    }

    // MARK: - URI encoding

    /// Whether `byte` is one of the characters `UriEncode` leaves alone: `A-Z a-z 0-9 - . _ ~`.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let uppercaseHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func appendEncoded(_ byte: UInt8, to out: inout [UInt8]) {
        if isUnreserved(byte) {
            out.append(byte)
        } else {
            out.append(UInt8(ascii: "%"))
            out.append(uppercaseHexDigits[Int(byte >> 4)])
            out.append(uppercaseHexDigits[Int(byte & 0x0F)])
        }
    }

    /// Decodes `%XX` (and `+` when `plusIsSpace`) in `raw` and writes each byte back with
    /// `UriEncode`; a raw `/` stays a `/` when `keepSlash`. A `%` without two hex digits is a literal `%`.
    static func appendReencoded(
        _ raw: some Collection<UInt8>, plusIsSpace: Bool, keepSlash: Bool, to out: inout [UInt8]
    ) {
        var index = raw.startIndex
        while index != raw.endIndex {
            let byte = raw[index]
            let next = raw.index(after: index)
            if byte == UInt8(ascii: "%"), next != raw.endIndex, raw.index(after: next) != raw.endIndex,
                let high = AuthBytes.hexValue(raw[next]), let low = AuthBytes.hexValue(raw[raw.index(after: next)])
            {
                appendEncoded(high << 4 | low, to: &out)
                index = raw.index(next, offsetBy: 2)
                continue
            }
            if keepSlash && byte == UInt8(ascii: "/") {
                out.append(byte)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                appendEncoded(0x20, to: &out)
            } else {
                appendEncoded(byte, to: &out)
            }
            index = next
        }
    }

    /// The canonical URI of a raw request path: `/` when empty.
    static func appendCanonicalURI(_ rawPath: String, to out: inout [UInt8]) {
        if rawPath.isEmpty {
            out.append(UInt8(ascii: "/"))
            return
        }
        appendReencoded(rawPath.utf8, plusIsSpace: false, keepSlash: true, to: &out)
    }

    static func canonicalURI(_ rawPath: String) -> String {
        var out: [UInt8] = []
        appendCanonicalURI(rawPath, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical query string of a raw query.
    static func appendCanonicalQuery(_ rawQuery: String?, excludingSignatureParameter: Bool, to out: inout [UInt8]) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        // Every name and value re-encoded into one buffer; the pairs are ranges of it.
        var scratch: [UInt8] = []
        scratch.reserveCapacity(rawQuery.utf8.count + 32)
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        pairs.reserveCapacity(8)
        URIEncoding.forEachQueryPart(rawQuery) { rawName, rawValue in
            let nameStart = scratch.count
            appendReencoded(rawName.utf8, plusIsSpace: true, keepSlash: false, to: &scratch)
            let nameEnd = scratch.count
            if let rawValue {
                appendReencoded(rawValue.utf8, plusIsSpace: true, keepSlash: false, to: &scratch)
            }
            if excludingSignatureParameter && isSignatureParameter(scratch[nameStart..<nameEnd]) {
                scratch.removeSubrange(nameStart...)
                return true
            }
            pairs.append((nameStart..<nameEnd, nameEnd..<scratch.count))
            return true
        }
        pairs.sort { lhs, rhs in
            let left = scratch[lhs.name]
            let right = scratch[rhs.name]
            if !left.elementsEqual(right) { return left.lexicographicallyPrecedes(right) }
            return scratch[lhs.value].lexicographicallyPrecedes(scratch[rhs.value])
        }
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            out += scratch[pair.name]
            out.append(UInt8(ascii: "="))
            out += scratch[pair.value]
        }
    }

    static func canonicalQuery(_ rawQuery: String?, excludingSignatureParameter: Bool) -> String {
        var out: [UInt8] = []
        appendCanonicalQuery(rawQuery, excludingSignatureParameter: excludingSignatureParameter, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let signatureParameter = Array("x-amz-signature".utf8)

    /// Whether an encoded query name is `X-Amz-Signature`, in any letter case.
    private static func isSignatureParameter(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count == signatureParameter.count else { return false }
        for (byte, expected) in zip(name, signatureParameter) {
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
            if lowered != expected { return false }
        }
        return true
    }

    // MARK: - Header values

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// `value` without whitespace at its ends, and one space for each run of whitespace inside.
    static func appendCanonicalHeaderValue(_ value: String, to out: inout [UInt8]) {
        var pendingSpace = false
        var wroteAny = false
        for byte in value.utf8 {
            if isWhitespace(byte) {
                pendingSpace = wroteAny
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(byte)
            wroteAny = true
        }
    }

    static func canonicalHeaderValue(_ value: String) -> String {
        var out: [UInt8] = []
        appendCanonicalHeaderValue(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
