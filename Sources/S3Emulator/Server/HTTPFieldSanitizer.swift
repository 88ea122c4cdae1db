import NIOHTTP1
import S3EmulatorCore

/// Header fields between the wire and s3emu, held to RFC 9110 as the HTTP types library held
/// them before: a name that is not a token is dropped, and a value loses its surrounding
/// spaces and tabs and has each control character turned into a space. So a request header
/// means what it always meant, and no response header can carry a line break (``ResponseHead``).
enum HTTPFieldSanitizer {
    /// The request's `Host` (its first one) and its other fields, names lowercased.
    static func requestFields(_ headers: HTTPHeaders) -> (host: String?, fields: S3Headers) {
        var host: String?
        var foundHost = false
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            guard let lowercased = lowercasedToken(name) else { continue }
            if !foundHost, lowercased == "host" {
                foundHost = true
                host = value
                continue
            }
            fields.append((lowercased, legalValue(value)))
        }
        return (host, S3Headers(lowercasedFields: fields))
    }

    /// Whether the request head announces a body: a `Transfer-Encoding`, or a `Content-Length`
    /// other than 0 (NIO's decoder reads none otherwise).
    static func hasBody(_ headers: HTTPHeaders) -> Bool {
        if headers.contains(name: "transfer-encoding") { return true }
        let lengths = headers["content-length"]
        return !lengths.isEmpty && lengths != ["0"]
    }

    /// `name` lowercased when it is a token (RFC 9110 §5.6.2); nil otherwise.
    static func lowercasedToken(_ name: String) -> String? {
        var hasUppercase = false
        guard URIEncoding.withUTF8(name, { isToken($0, hasUppercase: &hasUppercase) }) else { return nil }
        return hasUppercase ? name.lowercased() : name
    }

    /// Whether `name` is a token, in any letter case; `hasUppercase` tells whether it has capitals.
    static func isToken(_ name: UnsafeBufferPointer<UInt8>, hasUppercase: inout Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for byte in name {
            switch tokenClass(of: byte) {
            case .lowercase: continue
            case .uppercase: hasUppercase = true
            case .invalid: return false
            }
        }
        return true
    }

    private enum TokenClass {
        case lowercase, uppercase, invalid
    }

    /// The class of a byte in a field name: `tchar` (lowercase or not) or not allowed. A switch,
    /// not a table: a table is a lazy global, and checking it once per field of every response
    /// head cost more than the switch.
    private static func tokenClass(of byte: UInt8) -> TokenClass {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            .uppercase
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            .lowercase
        default:
            .invalid
        }
    }

    /// `value` without spaces or tabs at its ends and with control characters as spaces.
    static func legalValue(_ value: String) -> String {
        let isLegal = URIEncoding.withUTF8(value, isLegalValue)
        if isLegal { return value }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var lastVisible = -1
        for byte in value.utf8 {
            switch byte {
            case 0x21...0x7E, 0x80...0xFF:
                bytes.append(byte)
                lastVisible = bytes.count - 1
            default:
                // Spaces and tabs stay inside the value; control characters become spaces.
                if !bytes.isEmpty { bytes.append(byte == 0x09 ? 0x09 : 0x20) }
            }
        }
        return String(decoding: bytes[..<(lastVisible + 1)], as: UTF8.self)
    }

    /// Whether `value` is its own ``legalValue(_:)``: no space or tab at its ends, no control character.
    static func isLegalValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return true }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return false }
        for byte in bytes where byte < 0x20 && byte != 0x09 || byte == 0x7F {
            return false
        }
        return true
    }
}
