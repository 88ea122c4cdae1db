import S3EmulatorCore

/// Reads the JSON of a stored ``ObjectMetadata`` (see ``MetadataJSONWriter``): an object whose
/// members are strings, `null`, or objects of strings. Any JSON of that shape is accepted (all
/// string escapes, whitespace), so text written by `JSONEncoder` reads back too; unknown members
/// are skipped. Anything else throws.
struct MetadataJSONReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// A member value.
    enum Value {
        case string(String)
        case map([String: String])
        case null
    }

    /// Calls `member` for each member of the top-level object.
    mutating func readObject(_ member: (String, Value) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            index += 1
            try expectEnd()
            return
        }
        while true {
            let name = try string()
            try expect(UInt8(ascii: ":"))
            switch try peek() {
            case UInt8(ascii: "\""):
                try member(name, .string(try string()))
            case UInt8(ascii: "{"):
                try member(name, .map(try map()))
            case UInt8(ascii: "n"):
                try literal("null")
                try member(name, .null)
            default:
                throw failure("a string, an object or null")
            }
            if try separatorEndsContainer() {
                break
            }
        }
        try expectEnd()
    }

    private mutating func map() throws -> [String: String] {
        try expect(UInt8(ascii: "{"))
        var map: [String: String] = [:]
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return map
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            map[key] = try string()
            if try separatorEndsContainer() {
                return map
            }
        }
    }

    /// Consumes `,` (false) or `}` (true).
    private mutating func separatorEndsContainer() throws -> Bool {
        switch try peek() {
        case UInt8(ascii: ","):
            index += 1
            return false
        case UInt8(ascii: "}"):
            index += 1
            return true
        default:
            throw failure("',' or '}'")
        }
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Fast path: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            index += 1
        }
        guard index < bytes.count else {
            throw failure("the end of a string")
        }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
        var scalars = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &scalars)
            default:
                scalars.append(byte)
            }
        }
        throw failure("the end of a string")
    }

    private mutating func escape(into output: inout [UInt8]) throws {
        guard index < bytes.count else {
            throw failure("an escape")
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            {
                let saved = index
                index += 2
                let low = UInt32(try hexQuad())
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    index = saved
                }
            }
            // A lone surrogate is not a scalar: it becomes U+FFFD, as String(decoding:) repairs.
            output.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
        default:
            throw failure("a valid escape")
        }
    }

    private mutating func hexQuad() throws -> UInt16 {
        guard index + 4 <= bytes.count else {
            throw failure("four hex digits")
        }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a hex digit")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private mutating func literal(_ text: StaticString) throws {
        for expected in text.utf8Bytes {
            guard index < bytes.count, bytes[index] == expected else {
                throw failure("\(text)")
            }
            index += 1
        }
    }

    /// The next non-whitespace byte, not consumed.
    private mutating func peek() throws -> UInt8 {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            default:
                return bytes[index]
            }
        }
        throw failure("more input")
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else {
            throw failure("'\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    private mutating func expectEnd() throws {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
            index += 1
        }
        guard index == bytes.count else {
            throw failure("the end of the metadata")
        }
    }

    private func failure(_ expected: String) -> StorageError {
        .corrupt("unreadable object metadata: expected \(expected) at byte \(index)")
    }
}
