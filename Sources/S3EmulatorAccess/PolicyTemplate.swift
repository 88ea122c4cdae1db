/// A policy string that may hold policy variables — a `Resource`, or a condition value —
/// compiled once.
///
/// Under `"Version": "2012-10-17"`, `${aws:username}` is replaced by the request's value of that
/// key, `${key, 'default'}` falls back to the default when the key is absent, and `${*}`, `${?}`,
/// `${$}` stand for the literal characters `*`, `?`, `$`. Under any other version the text is
/// taken literally, `${` included; ``containsLiteralVariableSyntax`` records that, so a trace can
/// say why `u/${aws:username}/*` never matched.
struct PolicyTemplate: Sendable, CustomStringConvertible {
    enum Part: Sendable {
        /// Policy text, in which `*` and `?` are wildcards where the operator has them.
        case text(String)
        /// A character written as `${*}`, `${?}` or `${$}`: always literal.
        case literalCharacter(UInt8)
        /// A variable: `key` lowercased for lookup, `name` as written.
        case variable(key: String, name: String, defaultValue: String?)
    }

    /// The text as written in the policy.
    let text: String
    let parts: [Part]
    /// True when at least one part is a variable, so the value depends on the request.
    let hasVariables: Bool
    /// True when the text holds `${` but variables are off (no Version 2012-10-17).
    let containsLiteralVariableSyntax: Bool
    /// The bytes every match must start with: the policy text before the first wildcard or
    /// variable. Lets a request be turned away before variables are substituted.
    let leadingLiteral: [UInt8]

    var description: String { text }

    /// Compiles `text`; `variablesEnabled` is true only for Version 2012-10-17.
    init(_ text: String, variablesEnabled: Bool) {
        self.text = text
        guard variablesEnabled else {
            parts = [.text(text)]
            hasVariables = false
            containsLiteralVariableSyntax = text.contains("${")
            leadingLiteral = Self.leadingLiteral(of: parts)
            return
        }
        containsLiteralVariableSyntax = false
        var parts: [Part] = []
        var pending = ""
        var hasVariables = false
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            pending += rest[rest.startIndex..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                pending += rest[start.lowerBound...]
                rest = rest[rest.endIndex...]
                break
            }
            let body = afterOpen[afterOpen.startIndex..<close]
            switch body {
            case "*", "?", "$":
                if !pending.isEmpty { parts.append(.text(pending)); pending = "" }
                parts.append(.literalCharacter(body.utf8.first ?? UInt8(ascii: "$")))
            default:
                if let variable = Self.variable(body) {
                    if !pending.isEmpty { parts.append(.text(pending)); pending = "" }
                    parts.append(variable)
                    hasVariables = true
                } else {
                    pending += rest[start.lowerBound...close]
                }
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        pending += rest
        if !pending.isEmpty || parts.isEmpty { parts.append(.text(pending)) }
        self.parts = parts
        self.hasVariables = hasVariables
        leadingLiteral = Self.leadingLiteral(of: parts)
    }

    private static func leadingLiteral(of parts: [Part]) -> [UInt8] {
        guard case let .text(text)? = parts.first else { return [] }
        return Array(text.utf8.prefix { $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "?") })
    }

    /// False when `candidate` cannot match, because it does not start with the text before the
    /// first wildcard or variable (compared case-sensitively). A cheap test before substitution.
    func mayMatch(_ candidate: String) -> Bool {
        guard !leadingLiteral.isEmpty else { return true }
        let utf8 = candidate.utf8
        guard utf8.count >= leadingLiteral.count else { return false }
        return utf8.starts(with: leadingLiteral)
    }

    /// Reads the inside of `${…}`: a key name, optionally `, 'default'`.
    private static func variable(_ body: Substring) -> Part? {
        var name = body
        var defaultValue: String?
        if let comma = body.firstIndex(of: ",") {
            name = body[body.startIndex..<comma]
            let tail = body[body.index(after: comma)...].drop { $0 == " " }
            guard tail.count >= 2, tail.first == "'", tail.last == "'" else { return nil }
            defaultValue = String(tail.dropFirst().dropLast())
        }
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0 == " " || $0 == "{" || $0 == "$" }) else { return nil }
        return .variable(key: trimmed.lowercased(), name: String(trimmed), defaultValue: defaultValue)
    }

    /// Whether `candidate` matches the text with the request's variable values substituted
    /// (literally) and `*`/`?` of the policy text as wildcards. Builds the pattern in stack
    /// memory: no allocation per request. False when a variable the request lacks has no default.
    func matches(_ candidate: String, in context: AuthorizationRequest) -> Bool {
        var capacity = 0
        for part in parts {
            switch part {
            case let .text(text): capacity += text.utf8.count
            case .literalCharacter: capacity += 1
            case let .variable(key, _, defaultValue):
                guard let value = context.values(forLowercasedKey: key)?.first ?? defaultValue else { return false }
                capacity += value.utf8.count
            }
        }
        return withUnsafeTemporaryAllocation(of: WildcardPattern.Element.self, capacity: max(capacity, 1)) { buffer in
            var count = 0
            func append(_ element: WildcardPattern.Element) {
                if count < buffer.count { buffer.initializeElement(at: count, to: element) }
                count += 1
            }
            for part in parts {
                switch part {
                case let .text(text):
                    for byte in text.utf8 {
                        switch byte {
                        case UInt8(ascii: "*"): append(.anyRun)
                        case UInt8(ascii: "?"): append(.anyCharacter)
                        default: append(.byte(byte))
                        }
                    }
                case let .literalCharacter(byte):
                    append(.byte(byte))
                case let .variable(key, _, defaultValue):
                    let value = context.values(forLowercasedKey: key)?.first ?? defaultValue ?? ""
                    for byte in value.utf8 { append(.byte(byte)) }
                }
            }
            guard count <= buffer.count else { return false }
            let elements = UnsafeBufferPointer(rebasing: buffer[0..<count])
            let match = { (input: UnsafeBufferPointer<UInt8>) in
                WildcardPattern.match(elements: elements, input: input, ignoringCase: false)
            }
            if let result = candidate.utf8.withContiguousStorageIfAvailable(match) { return result }
            var copy = candidate
            return copy.withUTF8(match)
        }
    }

    /// The text with variables replaced, for operators without wildcards. Nil when a variable
    /// the request lacks has no default.
    func resolved(in context: AuthorizationRequest) -> String? {
        guard hasVariables || parts.count != 1 else { return text }
        var result = ""
        for part in parts {
            switch part {
            case let .text(text): result += text
            case let .literalCharacter(byte): result.unicodeScalars.append(Unicode.Scalar(byte))
            case let .variable(key, _, defaultValue):
                guard let value = context.values(forLowercasedKey: key)?.first ?? defaultValue else { return nil }
                result += value
            }
        }
        return result
    }

    /// The text when it does not depend on the request (no variable), with `${*}`-style
    /// characters already turned into their literal characters.
    var constantText: String? {
        hasVariables ? nil : resolvedConstant
    }

    private var resolvedConstant: String {
        var result = ""
        for part in parts {
            switch part {
            case let .text(text): result += text
            case let .literalCharacter(byte): result.unicodeScalars.append(Unicode.Scalar(byte))
            case .variable: break
            }
        }
        return result
    }

    /// The pattern when it does not depend on the request.
    func constantPattern(wildcards: Bool, ignoringCase: Bool = false) -> WildcardPattern? {
        guard !hasVariables else { return nil }
        var elements: [WildcardPattern.Element] = []
        for part in parts {
            switch part {
            case let .text(text):
                for byte in text.utf8 {
                    switch byte {
                    case UInt8(ascii: "*") where wildcards: elements.append(.anyRun)
                    case UInt8(ascii: "?") where wildcards: elements.append(.anyCharacter)
                    default: elements.append(.byte(byte))
                    }
                }
            case let .literalCharacter(byte): elements.append(.byte(byte))
            case .variable: break
            }
        }
        return WildcardPattern(elements: elements, text: text, ignoringCase: ignoringCase)
    }

    /// The variables this text uses, as written, for traces.
    var variableNames: [String] {
        parts.compactMap {
            if case let .variable(_, name, _) = $0 { return name }
            return nil
        }
    }

    /// True when any wildcard character appears in policy text (not in `${*}` or a variable).
    var hasWildcardText: Bool {
        parts.contains {
            if case let .text(text) = $0 { return text.contains("*") || text.contains("?") }
            return false
        }
    }
}

extension Substring {
    /// The substring without leading and trailing spaces.
    func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
