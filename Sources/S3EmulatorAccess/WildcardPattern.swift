/// A compiled pattern with IAM's two wildcards: `*` matches any run of characters (including
/// none, and including `/` and `:`), `?` matches exactly one character.
///
/// A pattern is compiled once, when its policy is stored; matching walks the UTF-8 bytes of the
/// candidate without allocating. Characters that came from `${*}`, `${?}` or a substituted
/// variable value are literal and never act as wildcards.
///
/// ```swift
/// let pattern = WildcardPattern("arn:aws:s3:::bucket/*")
/// pattern.matches("arn:aws:s3:::bucket/photo.jpg")  // true
/// ```
struct WildcardPattern: Sendable, Hashable, CustomStringConvertible {
    /// One element of a pattern: a literal byte, `*` or `?`.
    enum Element: Sendable, Hashable {
        case byte(UInt8)
        case anyRun
        case anyCharacter
    }

    private enum Shape: Sendable, Hashable {
        /// No wildcard: the candidate must equal `literal`.
        case exact
        /// Only `*`: everything matches.
        case everything
        /// A literal followed by one trailing `*`.
        case prefix
        /// Anything else: the general matcher.
        case general
    }

    private let elements: [Element]
    private let literal: [UInt8]
    private let shape: Shape
    /// True when letters compare without regard to ASCII case (IAM actions).
    let ignoresCase: Bool
    /// The pattern as written, for traces.
    let text: String

    var description: String { text }

    /// Compiles `text`, where every `*` and `?` is a wildcard.
    init(_ text: String, ignoringCase: Bool = false) {
        var elements: [Element] = []
        elements.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "*"): elements.append(.anyRun)
            case UInt8(ascii: "?"): elements.append(.anyCharacter)
            default: elements.append(.byte(byte))
            }
        }
        self.init(elements: elements, text: text, ignoringCase: ignoringCase)
    }

    /// Compiles a pattern from elements already split into literal bytes and wildcards.
    init(elements: [Element], text: String, ignoringCase: Bool = false) {
        let folded: [Element]
        if ignoringCase {
            folded = elements.map {
                if case let .byte(byte) = $0 { return .byte(Self.lowercased(byte)) }
                return $0
            }
        } else {
            folded = elements
        }
        self.elements = folded
        self.ignoresCase = ignoringCase
        self.text = text
        var literal: [UInt8] = []
        var wildcards = 0
        var lastIsRun = false
        for (index, element) in folded.enumerated() {
            switch element {
            case let .byte(byte):
                literal.append(byte)
            case .anyRun:
                wildcards += 1
                lastIsRun = index == folded.count - 1
            case .anyCharacter:
                wildcards += 2  // never a prefix shape
            }
        }
        self.literal = literal
        if wildcards == 0 {
            shape = .exact
        } else if folded.count == 1, lastIsRun {
            shape = .everything
        } else if wildcards == 1, lastIsRun {
            shape = .prefix
        } else {
            shape = .general
        }
    }

    /// True when the pattern holds no wildcard at all.
    var isLiteral: Bool { shape == .exact }

    /// True when the pattern is a lone `*`.
    var matchesEverything: Bool { shape == .everything }

    /// True when the pattern holds a `*` or `?` wildcard.
    var hasWildcard: Bool { shape != .exact }

    /// Whether `candidate` matches the whole pattern.
    func matches(_ candidate: String) -> Bool {
        if shape == .everything { return true }
        if let result = candidate.utf8.withContiguousStorageIfAvailable({ matches(bytes: $0) }) { return result }
        var copy = candidate
        return copy.withUTF8 { matches(bytes: $0) }
    }

    /// Whether the UTF-8 bytes `input` match the whole pattern.
    func matches(bytes input: UnsafeBufferPointer<UInt8>) -> Bool {
        switch shape {
        case .everything:
            return true
        case .exact:
            guard input.count == literal.count else { return false }
            for index in 0..<literal.count where !same(literal[index], input[index]) { return false }
            return true
        case .prefix:
            guard input.count >= literal.count else { return false }
            for index in 0..<literal.count where !same(literal[index], input[index]) { return false }
            return true
        case .general:
            return generalMatch(input)
        }
    }

    @inline(__always)
    private func same(_ patternByte: UInt8, _ inputByte: UInt8) -> Bool {
        ignoresCase ? patternByte == Self.lowercased(inputByte) : patternByte == inputByte
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// The index just after the character (Unicode scalar) that starts at `index`.
    @inline(__always)
    private static func nextCharacter(_ input: UnsafeBufferPointer<UInt8>, after index: Int) -> Int {
        var next = index + 1
        while next < input.count, input[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }

    private func generalMatch(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        elements.withUnsafeBufferPointer { Self.match(elements: $0, input: input, ignoringCase: ignoresCase) }
    }

    /// Greedy matching with one backtracking point per `*`: linear for the patterns policies
    /// use, and never worse than the product of the two lengths. `elements` must hold
    /// lowercased letters when `ignoringCase`.
    static func match(
        elements: UnsafeBufferPointer<Element>, input: UnsafeBufferPointer<UInt8>, ignoringCase: Bool
    ) -> Bool {
        @inline(__always)
        func same(_ patternByte: UInt8, _ inputByte: UInt8) -> Bool {
            ignoringCase ? patternByte == lowercased(inputByte) : patternByte == inputByte
        }
        var patternIndex = 0
        var inputIndex = 0
        var starIndex = -1
        var starInput = 0
        let count = elements.count
        while inputIndex < input.count {
            if patternIndex < count {
                switch elements[patternIndex] {
                case let .byte(byte) where same(byte, input[inputIndex]):
                    patternIndex += 1
                    inputIndex += 1
                    continue
                case .anyCharacter:
                    patternIndex += 1
                    inputIndex = nextCharacter(input, after: inputIndex)
                    continue
                case .anyRun:
                    starIndex = patternIndex
                    starInput = inputIndex
                    patternIndex += 1
                    continue
                case .byte:
                    break
                }
            }
            guard starIndex >= 0 else { return false }
            starInput = nextCharacter(input, after: starInput)
            inputIndex = starInput
            patternIndex = starIndex + 1
        }
        while patternIndex < count, elements[patternIndex] == .anyRun { patternIndex += 1 }
        return patternIndex == count
    }
}
