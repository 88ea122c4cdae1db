/// A JSON value as a policy document holds it: objects keep their members in document order
/// and remember whether a member name appeared twice, numbers keep their text.
///
/// Policies are parsed by this small reader rather than `JSONSerialization` because policy
/// validation needs what a general reader throws away: duplicate member names, the type of
/// every element, and numbers exactly as written (`"NumericLessThan": {"s3:max-keys": 10}`).
enum PolicyJSON: Sendable, Equatable {
    case string(String)
    /// A number, as written in the document.
    case number(String)
    case bool(Bool)
    case null
    case array([PolicyJSON])
    /// Members in document order; `duplicateNames` is true when a name occurs more than once.
    case object([(name: String, value: PolicyJSON)], duplicateNames: Bool)

    static func == (lhs: PolicyJSON, rhs: PolicyJSON) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        case let (.array(a), .array(b)): return a == b
        case let (.object(a, da), .object(b, db)):
            return da == db && a.count == b.count
                && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        default: return false
        }
    }

    /// The value of the member `name` of an object (the first, if it occurs twice).
    subscript(member name: String) -> PolicyJSON? {
        guard case let .object(members, _) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// The text of a scalar as a policy compares it: strings as is, numbers as written,
    /// booleans as `true`/`false`. Nil for null, arrays and objects.
    var scalarText: String? {
        switch self {
        case let .string(text): return text
        case let .number(text): return text
        case let .bool(value): return value ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }
}

/// Why a document is not JSON.
struct PolicyJSONError: Error, Equatable {
    var offset: Int
    var reason: String
}

extension PolicyJSON {
    /// The deepest nesting accepted; a policy never needs more than a handful of levels, and
    /// a bound keeps hostile input from exhausting the stack.
    static let maximumDepth = 64

    /// Parses one JSON text (RFC 8259): one value, surrounded by optional whitespace.
    static func parse(_ text: String) throws(PolicyJSONError) -> PolicyJSON {
        var bytes = Array(text.utf8)
        bytes.append(0)  // a sentinel, so the reader never needs a bounds check before peeking
        var reader = Reader(bytes: bytes, end: bytes.count - 1)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.position == reader.end else {
            throw PolicyJSONError(offset: reader.position, reason: "unexpected text after the document")
        }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        let end: Int
        var position = 0

        init(bytes: [UInt8], end: Int) {
            self.bytes = bytes
            self.end = end
        }

        var current: UInt8 { bytes[position] }

        mutating func skipWhitespace() {
            while position < end {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        func failure(_ reason: String) -> PolicyJSONError {
            PolicyJSONError(offset: position, reason: reason)
        }

        mutating func value(depth: Int) throws(PolicyJSONError) -> PolicyJSON {
            guard depth < PolicyJSON.maximumDepth else { throw failure("nesting too deep") }
            guard position < end else { throw failure("unexpected end of document") }
            switch current {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw failure("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws(PolicyJSONError) {
            let expected = Array(word.utf8)
            guard end - position >= expected.count else { throw failure("unexpected end of document") }
            for (offset, byte) in expected.enumerated() where bytes[position + offset] != byte {
                throw failure("invalid literal")
            }
            position += expected.count
        }

        mutating func object(depth: Int) throws(PolicyJSONError) -> PolicyJSON {
            position += 1  // {
            var members: [(name: String, value: PolicyJSON)] = []
            var names = Set<String>()
            var duplicate = false
            skipWhitespace()
            if position < end, current == UInt8(ascii: "}") {
                position += 1
                return .object(members, duplicateNames: false)
            }
            while true {
                skipWhitespace()
                guard position < end, current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                let name = try string()
                skipWhitespace()
                guard position < end, current == UInt8(ascii: ":") else { throw failure("expected ':'") }
                position += 1
                skipWhitespace()
                let value = try value(depth: depth + 1)
                if !names.insert(name).inserted { duplicate = true }
                members.append((name, value))
                skipWhitespace()
                guard position < end else { throw failure("unexpected end of document") }
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if current == UInt8(ascii: "}") {
                    position += 1
                    return .object(members, duplicateNames: duplicate)
                }
                throw failure("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(PolicyJSONError) -> PolicyJSON {
            position += 1  // [
            var elements: [PolicyJSON] = []
            skipWhitespace()
            if position < end, current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                guard position < end else { throw failure("unexpected end of document") }
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if current == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                }
                throw failure("expected ',' or ']'")
            }
        }

        mutating func number() throws(PolicyJSONError) -> String {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            guard position < end, isDigit(current) else { throw failure("invalid number") }
            if current == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < end, isDigit(current) { position += 1 }
            }
            if position < end, current == UInt8(ascii: ".") {
                position += 1
                guard position < end, isDigit(current) else { throw failure("invalid number") }
                while position < end, isDigit(current) { position += 1 }
            }
            if position < end, current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if position < end, current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard position < end, isDigit(current) else { throw failure("invalid number") }
                while position < end, isDigit(current) { position += 1 }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func string() throws(PolicyJSONError) -> String {
            position += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = position
            // Copies the bytes since `runStart` (plain, already valid UTF-8 text) into the result.
            func flush(_ scalars: inout String.UnicodeScalarView, _ from: Int, _ to: Int) {
                if from < to {
                    scalars.append(contentsOf: String(decoding: bytes[from..<to], as: UTF8.self).unicodeScalars)
                }
            }
            while true {
                guard position < end else { throw failure("unterminated string") }
                let byte = current
                if byte == UInt8(ascii: "\"") {
                    flush(&scalars, runStart, position)
                    position += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw failure("control character in string") }
                if byte == UInt8(ascii: "\\") {
                    flush(&scalars, runStart, position)
                    position += 1
                    guard position < end else { throw failure("unterminated string") }
                    let escape = current
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        let unit = try hexUnit()
                        if (0xD800...0xDBFF).contains(unit) {
                            guard end - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                                bytes[position + 1] == UInt8(ascii: "u")
                            else { throw failure("unpaired surrogate") }
                            position += 2
                            let low = try hexUnit()
                            guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate") }
                            let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                            guard let scalar = Unicode.Scalar(value) else { throw failure("invalid escape") }
                            scalars.append(scalar)
                        } else {
                            guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw failure("unpaired surrogate") }
                            scalars.append(scalar)
                        }
                    default:
                        throw failure("invalid escape")
                    }
                    runStart = position
                    continue
                }
                position += 1
            }
        }

        mutating func hexUnit() throws(PolicyJSONError) -> UInt16 {
            guard end - position >= 4 else { throw failure("invalid escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = current
                let digit: UInt16
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A") + 10)
                default: throw failure("invalid escape")
                }
                value = value << 4 | digit
                position += 1
            }
            return value
        }
    }
}
