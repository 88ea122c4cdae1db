/// Writes the JSON of a stored ``ObjectMetadata``: one object whose members are strings or
/// objects of strings. Hand-written because Foundation's JSON coders cost ~5 µs per object on
/// Linux, which dominated listing (1000 rows per page).
///
/// Output is valid JSON (RFC 8259): `"`, `\` and control characters are escaped, everything else
/// is written as UTF-8. Members and map entries are written in sorted order, so equal metadata
/// gives equal text.
struct MetadataJSONWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var isFirstMember = true

    mutating func member(_ name: String, _ value: String?) {
        guard let value else {
            return
        }
        memberName(name)
        string(value)
    }

    mutating func member(_ name: String, _ map: [String: String]) {
        guard !map.isEmpty else {
            return
        }
        memberName(name)
        bytes.append(UInt8(ascii: "{"))
        var isFirst = true
        for key in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if !isFirst {
                bytes.append(UInt8(ascii: ","))
            }
            isFirst = false
            string(key)
            bytes.append(UInt8(ascii: ":"))
            string(map[key] ?? "")
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The finished text.
    mutating func finish() -> String {
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func memberName(_ name: String) {
        if !isFirstMember {
            bytes.append(UInt8(ascii: ","))
        }
        isFirstMember = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\\"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
