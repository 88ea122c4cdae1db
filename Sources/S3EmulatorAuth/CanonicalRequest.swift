import S3EmulatorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        text = Self.withBytes(
            head: head, signedHeaders: signedHeaders, payloadHash: payloadHash,
            excludingSignatureParameter: excludingSignatureParameter
        ) { String(decoding: $0, as: UTF8.self) }
    }

    /// The lowercase hex SHA-256 of the canonical request, which the string to sign carries.
    /// The request is built in a temporary buffer and hashed there: its text is only needed
    /// when the signature does not match (see ``init(head:signedHeaders:payloadHash:excludingSignatureParameter:)``).
    static func sha256Hex(
        head: AuthRequestHead, signedHeaders: [String], payloadHash: String, excludingSignatureParameter: Bool
    ) -> String {
        withBytes(
            head: head, signedHeaders: signedHeaders, payloadHash: payloadHash,
            excludingSignatureParameter: excludingSignatureParameter
        ) { SigV4.sha256Hex(UnsafeRawBufferPointer($0)) }
    }

    /// Runs `body` on the canonical request's bytes, written into a temporary buffer.
    private static func withBytes<Result>(
        head: AuthRequestHead, signedHeaders: [String], payloadHash: String, excludingSignatureParameter: Bool,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        // Re-encoding turns a byte into at most three; everything else is copied or dropped.
        var capacity = head.method.utf8.count + 3 * (head.rawPath.utf8.count + (head.rawQuery?.utf8.count ?? 0))
            + payloadHash.utf8.count + 8
        for name in signedHeaders {
            capacity += 2 * name.utf8.count + 3
            for header in head.headers where header.name == name {
                capacity += header.value.utf8.count + 1
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var out = ByteWriter(buffer)
            out.append(head.method)
            out.append(0x0A)
            appendCanonicalURI(head.rawPath, to: &out)
            out.append(0x0A)
            appendCanonicalQuery(head.rawQuery, excludingSignatureParameter: excludingSignatureParameter, to: &out)
            out.append(0x0A)
            for name in signedHeaders {
                out.append(name)
                out.append(UInt8(ascii: ":"))
                var first = true
                for header in head.headers where header.name == name {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    appendCanonicalHeaderValue(header.value, to: &out)
                }
                out.append(0x0A)
            }
            out.append(0x0A)
            for (index, name) in signedHeaders.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ";")) }
                out.append(name)
            }
            out.append(0x0A)
            out.append(payloadHash)
            return body(out.written(0..<out.count))
        }
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

    @inline(__always)
    private static func uppercaseHexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    @inline(__always)
    static func appendEncoded(_ byte: UInt8, to out: inout ByteWriter) {
        if isUnreserved(byte) {
            out.append(byte)
        } else {
            out.append(UInt8(ascii: "%"), uppercaseHexDigit(byte >> 4), uppercaseHexDigit(byte & 0x0F))
        }
    }

    /// Decodes `%XX` (and `+` when `plusIsSpace`) in `raw` and writes each byte back with
    /// `UriEncode`; a raw `/` stays a `/` when `keepSlash`. A `%` without two hex digits is a literal `%`.
    static func appendReencoded(_ raw: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool, keepSlash: Bool, to out: inout ByteWriter) {
        var index = 0
        let count = raw.count
        while index < count {
            // A run of bytes that stay as they are, copied at once (most of a presigned query).
            var end = index
            while end < count, isUnreserved(raw[end]) || (keepSlash && raw[end] == UInt8(ascii: "/")) {
                end += 1
            }
            if end > index {
                out.append(UnsafeBufferPointer(rebasing: raw[index..<end]))
                index = end
                continue
            }
            let byte = raw[index]
            if byte == UInt8(ascii: "%"), index + 2 < count,
                let high = AuthBytes.hexValue(raw[index + 1]), let low = AuthBytes.hexValue(raw[index + 2])
            {
                appendEncoded(high << 4 | low, to: &out)
                index += 3
                continue
            }
            appendEncoded(plusIsSpace && byte == UInt8(ascii: "+") ? 0x20 : byte, to: &out)
            index += 1
        }
    }

    /// The canonical URI of a raw request path: `/` when empty.
    static func appendCanonicalURI(_ rawPath: String, to out: inout ByteWriter) {
        if rawPath.isEmpty {
            out.append(UInt8(ascii: "/"))
            return
        }
        URIEncoding.withUTF8(rawPath) { appendReencoded($0, plusIsSpace: false, keepSlash: true, to: &out) }
    }

    static func canonicalURI(_ rawPath: String) -> String {
        ByteWriter.string(capacity: 3 * rawPath.utf8.count + 1) { appendCanonicalURI(rawPath, to: &$0) }
    }

    /// The canonical query string of a raw query.
    static func appendCanonicalQuery(_ rawQuery: String?, excludingSignatureParameter: Bool, to out: inout ByteWriter) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        URIEncoding.withUTF8(rawQuery) { query in
            // Every name and value re-encoded into one scratch buffer; the pairs are ranges of it.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * query.count) { scratchBuffer in
                var scratch = ByteWriter(scratchBuffer)
                var pairs: [(name: Range<Int>, value: Range<Int>)] = []
                pairs.reserveCapacity(8)
                URIEncoding.forEachQueryPart(in: query) { rawName, rawValue in
                    let nameStart = scratch.count
                    appendReencoded(UnsafeBufferPointer(rebasing: query[rawName]), plusIsSpace: true, keepSlash: false, to: &scratch)
                    let nameEnd = scratch.count
                    if excludingSignatureParameter && isSignatureParameter(scratch.written(nameStart..<nameEnd)) {
                        scratch.count = nameStart
                        return true
                    }
                    if let rawValue {
                        appendReencoded(UnsafeBufferPointer(rebasing: query[rawValue]), plusIsSpace: true, keepSlash: false, to: &scratch)
                    }
                    pairs.append((nameStart..<nameEnd, nameEnd..<scratch.count))
                    return true
                }
                let bytes = UnsafeBufferPointer(scratchBuffer)
                func precedes(_ lhs: (name: Range<Int>, value: Range<Int>), _ rhs: (name: Range<Int>, value: Range<Int>)) -> Bool {
                    let order = compare(bytes[lhs.name], bytes[rhs.name])
                    return order != 0 ? order < 0 : compare(bytes[lhs.value], bytes[rhs.value]) < 0
                }
                // Presigned URLs usually come sorted already.
                if pairs.indices.dropFirst().contains(where: { precedes(pairs[$0], pairs[$0 - 1]) }) {
                    pairs.sort(by: precedes)
                }
                for (index, pair) in pairs.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: "&")) }
                    out.append(UnsafeBufferPointer(rebasing: bytes[pair.name]))
                    out.append(UInt8(ascii: "="))
                    out.append(UnsafeBufferPointer(rebasing: bytes[pair.value]))
                }
            }
        }
    }

    /// Byte-wise order of two byte strings: negative, zero or positive.
    private static func compare(_ lhs: Slice<UnsafeBufferPointer<UInt8>>, _ rhs: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        let common = min(lhs.count, rhs.count)
        if common > 0 {
            let order = memcmp(
                lhs.base.baseAddress! + lhs.startIndex, rhs.base.baseAddress! + rhs.startIndex, common)
            if order != 0 { return Int(order) }
        }
        return lhs.count - rhs.count
    }

    static func canonicalQuery(_ rawQuery: String?, excludingSignatureParameter: Bool) -> String {
        ByteWriter.string(capacity: 3 * (rawQuery?.utf8.count ?? 0)) {
            appendCanonicalQuery(rawQuery, excludingSignatureParameter: excludingSignatureParameter, to: &$0)
        }
    }

    private static let signatureParameter = Array("x-amz-signature".utf8)

    /// Whether an encoded query name is `X-Amz-Signature`, in any letter case.
    private static func isSignatureParameter(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        AuthBytes.equalsIgnoringASCIICase(name, lowercased: signatureParameter)
    }

    // MARK: - Header values

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// `value` without whitespace at its ends, and one space for each run of whitespace inside.
    static func appendCanonicalHeaderValue(_ value: String, to out: inout ByteWriter) {
        URIEncoding.withUTF8(value) { bytes in
            var pendingSpace = false
            var wroteAny = false
            for byte in bytes {
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
    }

    static func canonicalHeaderValue(_ value: String) -> String {
        ByteWriter.string(capacity: value.utf8.count) { appendCanonicalHeaderValue(value, to: &$0) }
    }
}
