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

    var description: String { text }

    /// Compiles `text`; `variablesEnabled` is true only for Version 2012-10-17.
    init(_ text: String, variablesEnabled: Bool) {
        self.text = text
        guard variablesEnabled else {
            parts = [.text(text)]
            hasVariables = false
            containsLiteralVariableSyntax = text.contains("${")
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

    /// The pattern to match against, with wildcards in policy text where `wildcards` is true.
    /// Nil when a variable the request lacks has no default: the element then matches nothing.
    func pattern(in context: AuthorizationRequest, wildcards: Bool, ignoringCase: Bool = false) -> WildcardPattern? {
        var elements: [WildcardPattern.Element] = []
        elements.reserveCapacity(text.utf8.count + 16)
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
            case let .literalCharacter(byte):
                elements.append(.byte(byte))
            case let .variable(key, _, defaultValue):
                guard let value = context.values(forLowercasedKey: key)?.first ?? defaultValue else { return nil }
                for byte in value.utf8 { elements.append(.byte(byte)) }
            }
        }
        return WildcardPattern(elements: elements, text: text, ignoringCase: ignoringCase)
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
