/// A small, strict XML parser for S3 request bodies (`Delete`, `CORSConfiguration`,
/// `CompleteMultipartUpload`, `Tagging`, `AccessControlPolicy`, …).
///
/// It accepts an optional `<?xml …?>` declaration, comments, processing instructions, CDATA,
/// the five predefined entities and character references, and namespaces (prefixes are
/// stripped from element names). It refuses, with `S3Error(.malformedXML)`: any `<!DOCTYPE`
/// or `<!ENTITY` (no entity expansion, so no XML bombs), mismatched tags, invalid UTF-8,
/// characters XML 1.0 forbids, text outside the root, a second root, and input over the
/// ``Limits``. It is iterative: nesting depth never grows the call stack.
///
/// On Darwin, Foundation also has an `XMLParser` class; where both modules are imported,
/// write `S3EmulatorCore.XMLParser`.
///
/// ```swift
/// let root = try XMLParser.parse(body)   // body: [UInt8]
/// guard root.name == "Delete" else { throw S3Error(.malformedXML) }
/// ```
public enum XMLParser {
    /// Bounds on what a request body may contain.
    public struct Limits: Sendable, Equatable {
        /// The largest accepted document, in bytes.
        public var maxBytes: Int
        /// The deepest accepted element nesting; the root is at depth 1.
        public var maxDepth: Int
        /// The most elements accepted in one document.
        public var maxElements: Int

        public init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxElements: Int = 100_000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxElements = maxElements
        }
    }

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .init()) throws(S3Error) -> XMLNode {
        guard bytes.count <= limits.maxBytes else { throw S3Error(.malformedXML) }
        let result: Result<XMLNode, S3Error>
        if let contiguous = bytes.withContiguousStorageIfAvailable({ parseResult($0, limits: limits) }) {
            result = contiguous
        } else {
            result = Array(bytes).withUnsafeBufferPointer { parseResult($0, limits: limits) }
        }
        return try result.get()
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>, limits: Limits) -> Result<XMLNode, S3Error> {
        var reader = Reader(bytes: buffer, limits: limits)
        do throws(S3Error) {
            return .success(try reader.parseDocument())
        } catch {
            return .failure(error)
        }
    }
}

// MARK: - Reader

extension XMLParser {
    /// An element whose end tag has not been read yet.
    private struct OpenElement {
        var name: String
        var qualifiedName: Range<Int>
        var attributes: [String: String]
        var children: [XMLNode] = []
        var text: [UInt8] = []

        func finished() -> XMLNode {
            XMLNode(name: name, attributes: attributes, children: children, text: String(decoding: text, as: UTF8.self))
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let limits: Limits
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        private var malformed: S3Error { S3Error(.malformedXML) }

        // MARK: Document

        mutating func parseDocument() throws(S3Error) -> XMLNode {
            try Self.validateCharacters(bytes)
            // An optional UTF-8 byte order mark.
            if hasPrefix([0xEF, 0xBB, 0xBF]) { position = 3 }
            if hasPrefix(Self.xmlDeclarationStart), position + 5 < bytes.count,
                Self.isWhitespace(bytes[position + 5])
            {
                try readXMLDeclaration()
            }

            var stack: [OpenElement] = []
            var root: XMLNode?
            var elementCount = 0

            while position < bytes.count {
                let byte = bytes[position]
                if byte != Self.lessThan {
                    if stack.isEmpty {
                        // Only white space may stand outside the root element.
                        guard Self.isWhitespace(byte) else { throw malformed }
                        position += 1
                    } else {
                        try readText(into: &stack[stack.count - 1].text)
                    }
                    continue
                }
                guard position + 1 < bytes.count else { throw malformed }
                switch bytes[position + 1] {
                case UInt8(ascii: "/"):
                    guard !stack.isEmpty else { throw malformed }
                    position += 2
                    let name = try scanName()
                    skipWhitespace()
                    try expect(Self.greaterThan)
                    let open = stack.removeLast()
                    guard sameBytes(open.qualifiedName, name) else { throw malformed }
                    let node = open.finished()
                    if stack.isEmpty {
                        root = node
                    } else {
                        stack[stack.count - 1].children.append(node)
                    }
                case UInt8(ascii: "!"):
                    if hasPrefix(Self.commentStart) {
                        try skipComment()
                    } else if hasPrefix(Self.cdataStart) {
                        guard !stack.isEmpty else { throw malformed }
                        try readCDATA(into: &stack[stack.count - 1].text)
                    } else {
                        // <!DOCTYPE, <!ENTITY, <!ELEMENT, …: never accepted.
                        throw malformed
                    }
                case UInt8(ascii: "?"):
                    try skipProcessingInstruction()
                default:
                    // A second root element is refused.
                    guard root == nil else { throw malformed }
                    elementCount += 1
                    guard elementCount <= limits.maxElements, stack.count < limits.maxDepth else { throw malformed }
                    position += 1
                    let (element, selfClosing) = try readStartTag()
                    if !selfClosing {
                        stack.append(element)
                    } else if stack.isEmpty {
                        root = element.finished()
                    } else {
                        stack[stack.count - 1].children.append(element.finished())
                    }
                }
            }
            guard stack.isEmpty, let root else { throw malformed }
            return root
        }

        // MARK: Declaration, comments, processing instructions

        /// `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, only at the very start.
        private mutating func readXMLDeclaration() throws(S3Error) {
            position += 5
            var sawVersion = false
            var seen: Set<String> = []
            while true {
                let hadSpace = skipWhitespace()
                if hasPrefix(Self.processingInstructionEnd) {
                    position += 2
                    break
                }
                guard hadSpace else { throw malformed }
                let nameRange = try scanName()
                let name = string(nameRange)
                skipWhitespace()
                try expect(UInt8(ascii: "="))
                skipWhitespace()
                let value = try readAttributeValue()
                guard seen.insert(name).inserted else { throw malformed }
                switch name {
                case "version":
                    guard !sawVersion, seen.count == 1, value.hasPrefix("1."), value.count > 2,
                        value.utf8.dropFirst(2).allSatisfy({ Self.isDigit($0) })
                    else { throw malformed }
                    sawVersion = true
                case "encoding":
                    guard sawVersion else { throw malformed }
                    switch value.lowercased() {
                    case "utf-8", "utf8", "us-ascii", "ascii": break
                    default: throw malformed
                    }
                case "standalone":
                    guard sawVersion, value == "yes" || value == "no" else { throw malformed }
                default:
                    throw malformed
                }
            }
            guard sawVersion else { throw malformed }
        }

        /// `<!-- … -->`; `--` may not appear inside.
        private mutating func skipComment() throws(S3Error) {
            position += 4
            while position + 1 < bytes.count {
                if bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: "-") {
                    guard position + 2 < bytes.count, bytes[position + 2] == Self.greaterThan else { throw malformed }
                    position += 3
                    return
                }
                position += 1
            }
            throw malformed
        }

        /// `<?target …?>`; the target `xml` is reserved for the declaration at the start.
        private mutating func skipProcessingInstruction() throws(S3Error) {
            position += 2
            let target = try scanName()
            guard target.count != 3 || string(target).lowercased() != "xml" else { throw malformed }
            if hasPrefix(Self.processingInstructionEnd) {
                position += 2
                return
            }
            guard position < bytes.count, Self.isWhitespace(bytes[position]) else { throw malformed }
            while position + 1 < bytes.count {
                if bytes[position] == UInt8(ascii: "?"), bytes[position + 1] == Self.greaterThan {
                    position += 2
                    return
                }
                position += 1
            }
            throw malformed
        }

        // MARK: Elements

        /// Reads a start tag after its `<`, up to and including `>` or `/>`.
        private mutating func readStartTag() throws(S3Error) -> (element: OpenElement, selfClosing: Bool) {
            let qualifiedName = try scanName()
            let name = try localName(qualifiedName)
            var attributes: [String: String] = [:]
            while true {
                let hadSpace = skipWhitespace()
                guard position < bytes.count else { throw malformed }
                let byte = bytes[position]
                if byte == Self.greaterThan {
                    position += 1
                    return (OpenElement(name: name, qualifiedName: qualifiedName, attributes: attributes), false)
                }
                if byte == UInt8(ascii: "/") {
                    position += 1
                    try expect(Self.greaterThan)
                    return (OpenElement(name: name, qualifiedName: qualifiedName, attributes: attributes), true)
                }
                guard hadSpace else { throw malformed }
                let attributeName = try scanName()
                skipWhitespace()
                try expect(UInt8(ascii: "="))
                skipWhitespace()
                let value = try readAttributeValue()
                guard attributes.updateValue(value, forKey: string(attributeName)) == nil else { throw malformed }
            }
        }

        /// The part after the namespace prefix; a qualified name has at most one colon,
        /// with something on both sides.
        private func localName(_ range: Range<Int>) throws(S3Error) -> String {
            var colon: Int?
            for index in range where bytes[index] == UInt8(ascii: ":") {
                guard colon == nil else { throw malformed }
                colon = index
            }
            guard let colon else { return string(range) }
            guard colon > range.lowerBound, colon + 1 < range.upperBound else { throw malformed }
            return string(colon + 1..<range.upperBound)
        }

        // MARK: Character data

        /// Character data up to the next `<`, references decoded, line ends normalized.
        private mutating func readText(into text: inout [UInt8]) throws(S3Error) {
            let runStart = position
            var segmentStart = position
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case Self.lessThan:
                    append(segmentStart..<position, to: &text)
                    return
                case Self.ampersand:
                    append(segmentStart..<position, to: &text)
                    try readReference(into: &text)
                    segmentStart = position
                case Self.carriageReturn:
                    append(segmentStart..<position, to: &text)
                    text.append(Self.lineFeed)
                    position += 1
                    if position < bytes.count, bytes[position] == Self.lineFeed { position += 1 }
                    segmentStart = position
                case Self.greaterThan:
                    // `]]>` may not appear in character data.
                    if position - 2 >= runStart, bytes[position - 1] == UInt8(ascii: "]"),
                        bytes[position - 2] == UInt8(ascii: "]")
                    {
                        throw malformed
                    }
                    position += 1
                default:
                    position += 1
                }
            }
            // End of input inside an element: the caller reports the missing end tag.
            append(segmentStart..<position, to: &text)
        }

        /// `<![CDATA[ … ]]>`, copied verbatim (line ends normalized).
        private mutating func readCDATA(into text: inout [UInt8]) throws(S3Error) {
            position += Self.cdataStart.count
            var segmentStart = position
            while position + 2 < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "]"), bytes[position + 1] == UInt8(ascii: "]"), bytes[position + 2] == Self.greaterThan {
                    append(segmentStart..<position, to: &text)
                    position += 3
                    return
                }
                if byte == Self.carriageReturn {
                    append(segmentStart..<position, to: &text)
                    text.append(Self.lineFeed)
                    position += 1
                    if bytes[position] == Self.lineFeed { position += 1 }
                    segmentStart = position
                    continue
                }
                position += 1
            }
            throw malformed
        }

        /// A quoted attribute value; `<` is refused, references decoded, white space
        /// characters normalized to spaces as XML requires.
        private mutating func readAttributeValue() throws(S3Error) -> String {
            guard position < bytes.count else { throw malformed }
            let quote = bytes[position]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw malformed }
            position += 1
            var value: [UInt8] = []
            var segmentStart = position
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case quote:
                    append(segmentStart..<position, to: &value)
                    position += 1
                    return String(decoding: value, as: UTF8.self)
                case Self.lessThan:
                    throw malformed
                case Self.ampersand:
                    append(segmentStart..<position, to: &value)
                    try readReference(into: &value)
                    segmentStart = position
                case Self.carriageReturn, Self.lineFeed, Self.tab:
                    append(segmentStart..<position, to: &value)
                    value.append(UInt8(ascii: " "))
                    position += 1
                    if byte == Self.carriageReturn, position < bytes.count, bytes[position] == Self.lineFeed {
                        position += 1
                    }
                    segmentStart = position
                default:
                    position += 1
                }
            }
            throw malformed
        }

        /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NNN;` `&#xHHH;`; anything else is refused.
        private mutating func readReference(into out: inout [UInt8]) throws(S3Error) {
            position += 1  // &
            let start = position
            // The longest accepted reference body is "#x0010FFFF"-like; bound the scan.
            while position < bytes.count, bytes[position] != UInt8(ascii: ";") {
                guard position - start < 16 else { throw malformed }
                position += 1
            }
            guard position < bytes.count, position > start else { throw malformed }
            let body = start..<position
            position += 1  // ;
            if bytes[body.lowerBound] == UInt8(ascii: "#") {
                let scalar = try characterReference(body.lowerBound + 1..<body.upperBound)
                appendUTF8(scalar, to: &out)
                return
            }
            switch string(body) {
            case "lt": out.append(Self.lessThan)
            case "gt": out.append(Self.greaterThan)
            case "amp": out.append(Self.ampersand)
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default: throw malformed
            }
        }

        private func characterReference(_ digits: Range<Int>) throws(S3Error) -> UInt32 {
            var range = digits
            var radix: UInt32 = 10
            if range.count > 0, bytes[range.lowerBound] == UInt8(ascii: "x") {
                radix = 16
                range = range.lowerBound + 1..<range.upperBound
            }
            guard !range.isEmpty else { throw malformed }
            var value: UInt32 = 0
            for index in range {
                guard let digit = Self.digitValue(bytes[index], radix: radix) else { throw malformed }
                value = value * radix + digit
                guard value <= 0x10FFFF else { throw malformed }
            }
            guard Self.isXMLChar(value) else { throw malformed }
            return value
        }

        // MARK: Scanning helpers

        /// An XML name; returns its byte range.
        private mutating func scanName() throws(S3Error) -> Range<Int> {
            let start = position
            guard position < bytes.count, Self.isNameStart(bytes[position]) else { throw malformed }
            position += 1
            while position < bytes.count, Self.isNameCharacter(bytes[position]) {
                position += 1
            }
            return start..<position
        }

        @discardableResult
        private mutating func skipWhitespace() -> Bool {
            let start = position
            while position < bytes.count, Self.isWhitespace(bytes[position]) {
                position += 1
            }
            return position > start
        }

        private mutating func expect(_ byte: UInt8) throws(S3Error) {
            guard position < bytes.count, bytes[position] == byte else { throw malformed }
            position += 1
        }

        private func hasPrefix(_ prefix: [UInt8]) -> Bool {
            guard bytes.count - position >= prefix.count else { return false }
            for (offset, byte) in prefix.enumerated() where bytes[position + offset] != byte {
                return false
            }
            return true
        }

        private func sameBytes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
            guard lhs.count == rhs.count else { return false }
            var left = lhs.lowerBound
            var right = rhs.lowerBound
            while left < lhs.upperBound {
                guard bytes[left] == bytes[right] else { return false }
                left += 1
                right += 1
            }
            return true
        }

        private func string(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        private func append(_ range: Range<Int>, to out: inout [UInt8]) {
            guard !range.isEmpty else { return }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        }

        private func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
            switch value {
            case 0..<0x80:
                out.append(UInt8(value))
            case 0x80..<0x800:
                out.append(UInt8(0xC0 | (value >> 6)))
                out.append(UInt8(0x80 | (value & 0x3F)))
            case 0x800..<0x10000:
                out.append(UInt8(0xE0 | (value >> 12)))
                out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (value & 0x3F)))
            default:
                out.append(UInt8(0xF0 | (value >> 18)))
                out.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (value & 0x3F)))
            }
        }

        // MARK: Character classes

        static let lessThan = UInt8(ascii: "<")
        static let greaterThan = UInt8(ascii: ">")
        static let ampersand = UInt8(ascii: "&")
        static let carriageReturn = UInt8(ascii: "\r")
        static let lineFeed = UInt8(ascii: "\n")
        static let tab = UInt8(ascii: "\t")
        static let xmlDeclarationStart = Array("<?xml".utf8)
        static let processingInstructionEnd = Array("?>".utf8)
        static let commentStart = Array("<!--".utf8)
        static let cdataStart = Array("<![CDATA[".utf8)

        /// Valid UTF-8, and no character XML 1.0 forbids (C0 controls other than tab, LF,
        /// CR; U+FFFE; U+FFFF). Surrogates are already excluded by UTF-8 validation.
        static func validateCharacters(_ bytes: UnsafeBufferPointer<UInt8>) throws(S3Error) {
            guard UTF8Validation.isValid(bytes) else { throw S3Error(.malformedXML) }
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if byte < 0x20, byte != tab, byte != lineFeed, byte != carriageReturn {
                    throw S3Error(.malformedXML)
                }
                if byte == 0xEF, index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE {
                    throw S3Error(.malformedXML)
                }
                index += 1
            }
        }

        static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        static func isNameStart(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "_"), UInt8(ascii: ":"):
                return true
            default:
                return byte >= 0x80
            }
        }

        static func isNameCharacter(_ byte: UInt8) -> Bool {
            isNameStart(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }

        static func isXMLChar(_ value: UInt32) -> Bool {
            switch value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
            default: return false
            }
        }

        static func digitValue(_ byte: UInt8, radix: UInt32) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
    }
}
