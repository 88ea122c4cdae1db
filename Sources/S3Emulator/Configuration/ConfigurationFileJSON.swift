import S3EmulatorCore

/// A JSON value read from a configuration file, with the bytes it was read from.
///
/// The configuration file is read by this small reader rather than `JSONSerialization`
/// because the loader needs what a general reader throws away: members in document order
/// (to report duplicates and unknown fields by name), the exact text of every policy object
/// (stored as written, then validated by the policy parser), and where a syntax error is.
struct ConfigurationFileJSON {
    enum Value {
        case string(String)
        /// A number, as written.
        case number(String)
        case bool(Bool)
        case null
        case array([ConfigurationFileJSON])
        /// Members in document order, duplicates included.
        case object([(name: String, value: ConfigurationFileJSON)])
    }

    var value: Value
    /// The byte offsets of the value's text in the file.
    var range: Range<Int>

    /// What kind of value this is, as an error message names it ("a string", "an object").
    var kindName: String {
        switch value {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why a file is not JSON: where (a byte offset and the JSON path being read) and what.
struct ConfigurationFileJSONSyntaxError: Error {
    var offset: Int
    var path: String
    var reason: String
}

extension ConfigurationFileJSON {
    /// The deepest nesting accepted; a configuration never needs more than a handful of
    /// levels, and the bound keeps a hostile file from exhausting the stack.
    static let maximumDepth = 64

    /// Parses one JSON text (RFC 8259): one value surrounded by optional whitespace.
    /// A UTF-8 byte order mark at the start is skipped.
    static func parse(_ bytes: [UInt8]) throws(ConfigurationFileJSONSyntaxError) -> ConfigurationFileJSON {
        var reader = Reader(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            reader.position = 3
        }
        reader.skipWhitespace()
        let value = try reader.value(path: "", depth: 0)
        reader.skipWhitespace()
        guard reader.position == bytes.count else {
            throw reader.failure("unexpected text after the top-level value", path: "")
        }
        return value
    }

    /// The line and column (both from 1, columns in bytes) of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        func failure(_ reason: String, path: String) -> ConfigurationFileJSONSyntaxError {
            ConfigurationFileJSONSyntaxError(offset: position, path: path, reason: reason)
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current,
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
            {
                position += 1
            }
        }

        mutating func value(path: String, depth: Int) throws(ConfigurationFileJSONSyntaxError) -> ConfigurationFileJSON {
            guard depth < ConfigurationFileJSON.maximumDepth else {
                throw failure("nested more than \(ConfigurationFileJSON.maximumDepth) levels deep", path: path)
            }
            let start = position
            guard let byte = current else {
                throw failure("unexpected end of file, expected a value", path: path)
            }
            switch byte {
            case UInt8(ascii: "{"):
                let members = try object(path: path, depth: depth)
                return ConfigurationFileJSON(value: .object(members), range: start..<position)
            case UInt8(ascii: "["):
                let elements = try array(path: path, depth: depth)
                return ConfigurationFileJSON(value: .array(elements), range: start..<position)
            case UInt8(ascii: "\""):
                let text = try string(path: path)
                return ConfigurationFileJSON(value: .string(text), range: start..<position)
            case UInt8(ascii: "t"):
                try literal("true", path: path)
                return ConfigurationFileJSON(value: .bool(true), range: start..<position)
            case UInt8(ascii: "f"):
                try literal("false", path: path)
                return ConfigurationFileJSON(value: .bool(false), range: start..<position)
            case UInt8(ascii: "n"):
                try literal("null", path: path)
                return ConfigurationFileJSON(value: .null, range: start..<position)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let text = try number(path: path)
                return ConfigurationFileJSON(value: .number(text), range: start..<position)
            default:
                throw failure("expected a value, found \(Self.describe(byte))", path: path)
            }
        }

        mutating func object(
            path: String, depth: Int
        ) throws(ConfigurationFileJSONSyntaxError) -> [(name: String, value: ConfigurationFileJSON)] {
            position += 1  // {
            var members: [(name: String, value: ConfigurationFileJSON)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return members
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw failure("expected a field name in double quotes, found \(describeCurrent)", path: path)
                }
                let name = try string(path: path)
                let memberPath = ConfigurationFilePath.member(name, of: path)
                skipWhitespace()
                guard current == UInt8(ascii: ":") else {
                    throw failure("expected ':' after the field name, found \(describeCurrent)", path: memberPath)
                }
                position += 1
                skipWhitespace()
                let value = try value(path: memberPath, depth: depth + 1)
                members.append((name, value))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return members
                default:
                    throw failure("expected ',' or '}' after a field, found \(describeCurrent)", path: memberPath)
                }
            }
        }

        mutating func array(path: String, depth: Int) throws(ConfigurationFileJSONSyntaxError) -> [ConfigurationFileJSON] {
            position += 1  // [
            var elements: [ConfigurationFileJSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return elements
            }
            while true {
                skipWhitespace()
                let elementPath = ConfigurationFilePath.element(elements.count, of: path)
                elements.append(try value(path: elementPath, depth: depth + 1))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return elements
                default:
                    throw failure("expected ',' or ']' after an array element, found \(describeCurrent)", path: elementPath)
                }
            }
        }

        mutating func string(path: String) throws(ConfigurationFileJSONSyntaxError) -> String {
            let start = position
            position += 1  // "
            var utf8: [UInt8] = []
            while true {
                guard let byte = current else {
                    throw failure("unexpected end of file inside a string", path: path)
                }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else {
                        position = start
                        throw failure("a string is not valid UTF-8", path: path)
                    }
                    return text
                case UInt8(ascii: "\\"):
                    position += 1
                    try escape(into: &utf8, path: path)
                case 0..<0x20:
                    throw failure("a control character (\(Self.describe(byte))) inside a string must be escaped", path: path)
                default:
                    utf8.append(byte)
                    position += 1
                }
            }
        }

        mutating func escape(into utf8: inout [UInt8], path: String) throws(ConfigurationFileJSONSyntaxError) {
            guard let byte = current else {
                throw failure("unexpected end of file inside a string", path: path)
            }
            position += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(path: path)
                if (0xD800..<0xDC00).contains(scalar) {
                    guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                        throw failure("a \\u escape of a high surrogate must be followed by a low surrogate", path: path)
                    }
                    position += 2
                    let low = try hex4(path: path)
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw failure("a \\u escape of a high surrogate must be followed by a low surrogate", path: path)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw failure("a \\u escape names a lone surrogate", path: path)
                }
                utf8.append(contentsOf: String(Character(unicode)).utf8)
            default:
                position -= 1
                throw failure("invalid escape \\\(Self.describe(byte)) in a string", path: path)
            }
        }

        mutating func hex4(path: String) throws(ConfigurationFileJSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = current, let digit = Self.hexValue(byte) else {
                    throw failure("a \\u escape needs four hexadecimal digits", path: path)
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        mutating func number(path: String) throws(ConfigurationFileJSONSyntaxError) -> String {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, Self.isDigit(first) else {
                throw failure("a number needs a digit after '-'", path: path)
            }
            position += 1
            if first != UInt8(ascii: "0") {
                while let byte = current, Self.isDigit(byte) { position += 1 }
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard let byte = current, Self.isDigit(byte) else {
                    throw failure("a number needs a digit after '.'", path: path)
                }
                while let byte = current, Self.isDigit(byte) { position += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let byte = current, Self.isDigit(byte) else {
                    throw failure("a number needs a digit in its exponent", path: path)
                }
                while let byte = current, Self.isDigit(byte) { position += 1 }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func literal(_ word: StaticString, path: String) throws(ConfigurationFileJSONSyntaxError) {
            let expected = word.utf8Bytes
            guard bytes.count - position >= expected.count, bytes[position..<position + expected.count].elementsEqual(expected) else {
                throw failure("expected a value, found \(describeCurrent)", path: path)
            }
            position += expected.count
        }

        var describeCurrent: String {
            current.map(Self.describe) ?? "the end of the file"
        }

        static func describe(_ byte: UInt8) -> String {
            if byte >= 0x21 && byte < 0x7F {
                return "'\(Character(Unicode.Scalar(byte)))'"
            }
            let hex = String(byte, radix: 16, uppercase: true)
            return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
        }

        static func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }

        static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
