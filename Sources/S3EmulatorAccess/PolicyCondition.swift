/// One condition of a statement — an operator, a key and the values it compares — compiled when
/// its policy is stored: patterns split, addresses, numbers and dates parsed.
///
/// The semantics are IAM's: several values of one key are alternatives (OR; for a negated
/// operator, none may match), a key missing from the request makes a positive operator false
/// and a negated one true, `…IfExists` is true when the key is missing, `Null` tests presence,
/// and `ForAllValues:` / `ForAnyValue:` compare every value of a multivalued key.
struct PolicyCondition: Sendable {
    /// The comparison, without set prefix or `IfExists`.
    enum Operator: String, Sendable, CaseIterable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case numericEquals = "NumericEquals"
        case numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan"
        case numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan"
        case numericGreaterThanEquals = "NumericGreaterThanEquals"
        case dateEquals = "DateEquals"
        case dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan"
        case dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan"
        case dateGreaterThanEquals = "DateGreaterThanEquals"
        case bool = "Bool"
        case binaryEquals = "BinaryEquals"
        case ipAddress = "IpAddress"
        case notIpAddress = "NotIpAddress"
        case arnEquals = "ArnEquals"
        case arnLike = "ArnLike"
        case arnNotEquals = "ArnNotEquals"
        case arnNotLike = "ArnNotLike"
        case null = "Null"

        /// True for the operators that hold when nothing matches (StringNotEquals, NotIpAddress…).
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals,
                .notIpAddress, .arnNotEquals, .arnNotLike:
                return true
            default:
                return false
            }
        }

        private static let byName: [String: Operator] = Dictionary(
            uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

        static func named(_ name: Substring) -> Operator? { byName[String(name)] }
    }

    /// `ForAllValues:` or `ForAnyValue:`.
    enum SetQualifier: String, Sendable {
        case forAllValues = "ForAllValues"
        case forAnyValue = "ForAnyValue"
    }

    /// The values of the condition, compiled for the operator's kind of comparison.
    enum Operands: Sendable {
        /// StringEquals and friends, Bool, BinaryEquals: exact text (lowercased when
        /// `ignoringCase`), or a template when it holds variables.
        case strings([StringOperand], ignoringCase: Bool)
        /// StringLike / StringNotLike.
        case patterns([StringOperand])
        /// Numeric*: nil for a value that is not a number (it never matches).
        case numbers([Double?])
        /// Date*: seconds since 1970; nil for a value that is not a date (it never matches).
        case dates([Double?])
        case addresses([IPAddressRange])
        /// Arn*: the six parts of each ARN pattern.
        case arns([StringOperand])
        /// Null: true means "the key must be absent".
        case presence([Bool])
    }

    /// One value as written, compiled for the request-independent case.
    struct StringOperand: Sendable {
        let template: PolicyTemplate
        /// The value when it holds no variable (lowercased for IgnoreCase operators).
        let constant: String?
        /// The wildcard pattern when it holds no variable (StringLike).
        let pattern: WildcardPattern?
        /// The six `:`-separated parts of an ARN pattern when it holds no variable (Arn*).
        let arnParts: [WildcardPattern]?
    }

    /// The operator as written (`ForAnyValue:StringLikeIfExists`).
    let operatorName: String
    let base: Operator
    let qualifier: SetQualifier?
    let ifExists: Bool
    /// The key as written (`aws:SourceIp`).
    let key: String
    let lowercasedKey: String
    /// The values as written.
    let rawValues: [String]
    let operands: Operands

    /// Parses an operator name: `[ForAllValues:|ForAnyValue:]Operator[IfExists]`. Names are
    /// case-sensitive, and `Null` takes neither a set prefix nor `IfExists`.
    static func parseOperator(_ name: String) -> (Operator, SetQualifier?, Bool)? {
        var rest = Substring(name)
        var qualifier: SetQualifier?
        if let colon = rest.firstIndex(of: ":") {
            guard let parsed = SetQualifier(rawValue: String(rest[rest.startIndex..<colon])) else { return nil }
            qualifier = parsed
            rest = rest[rest.index(after: colon)...]
        }
        var ifExists = false
        if rest.hasSuffix("IfExists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = Operator.named(rest) else { return nil }
        if base == .null, qualifier != nil || ifExists { return nil }
        return (base, qualifier, ifExists)
    }

    /// Why a condition's values cannot be compiled.
    enum CompileError: Error {
        case invalidAddress
        case invalidNullValue
    }

    init(operatorName: String, base: Operator, qualifier: SetQualifier?, ifExists: Bool, key: String,
         values: [String], variablesEnabled: Bool) throws(CompileError) {
        self.operatorName = operatorName
        self.base = base
        self.qualifier = qualifier
        self.ifExists = ifExists
        self.key = key
        self.lowercasedKey = key.lowercased()
        self.rawValues = values
        func operand(_ value: String, ignoringCase: Bool = false, wildcards: Bool = false, arn: Bool = false)
            -> StringOperand
        {
            let template = PolicyTemplate(value, variablesEnabled: variablesEnabled)
            let constant = template.constantText.map { ignoringCase ? $0.lowercased() : $0 }
            let pattern = wildcards ? template.constantPattern(wildcards: true) : nil
            let arnParts = arn ? constant.map(Self.arnPatterns) : nil
            return StringOperand(template: template, constant: constant, pattern: pattern, arnParts: arnParts)
        }
        switch base {
        case .stringEquals, .stringNotEquals:
            operands = .strings(values.map { operand($0) }, ignoringCase: false)
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            operands = .strings(values.map { operand($0, ignoringCase: true) }, ignoringCase: true)
        case .bool:
            operands = .strings(values.map { operand($0, ignoringCase: true) }, ignoringCase: true)
        case .binaryEquals:
            operands = .strings(values.map { operand($0) }, ignoringCase: false)
        case .stringLike, .stringNotLike:
            operands = .patterns(values.map { operand($0, wildcards: true) })
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan,
            .numericGreaterThanEquals:
            operands = .numbers(values.map { Double($0) })
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan,
            .dateGreaterThanEquals:
            operands = .dates(values.map { PolicyDate.seconds(from: $0) })
        case .ipAddress, .notIpAddress:
            var ranges: [IPAddressRange] = []
            for value in values {
                guard let range = IPAddressRange(value) else { throw .invalidAddress }
                ranges.append(range)
            }
            operands = .addresses(ranges)
        case .arnEquals, .arnLike, .arnNotEquals, .arnNotLike:
            operands = .arns(values.map { operand($0, arn: true) })
        case .null:
            var flags: [Bool] = []
            for value in values {
                switch value.lowercased() {
                case "true": flags.append(true)
                case "false": flags.append(false)
                default: throw .invalidNullValue
                }
            }
            operands = .presence(flags)
        }
    }

    /// Splits an ARN (pattern) into its six parts; the last keeps any further colons.
    static func arnParts(_ arn: String) -> [Substring]? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? parts : nil
    }

    private static func arnPatterns(_ arn: String) -> [WildcardPattern] {
        guard let parts = arnParts(arn) else { return [WildcardPattern(arn)] }
        return parts.map { WildcardPattern(String($0)) }
    }

    // MARK: - Evaluation

    /// Whether the condition holds for `request`.
    func evaluate(_ request: AuthorizationRequest) -> Bool {
        let values = request.values(forLowercasedKey: lowercasedKey)
        if case let .presence(flags) = operands {
            let present = values.map { !$0.isEmpty } ?? false
            return flags.contains { $0 ? !present : present }
        }
        let negated = base.isNegated
        guard let values, !values.isEmpty else {
            switch qualifier {
            case .forAllValues: return true
            case .forAnyValue: return ifExists
            case nil: return ifExists || negated
            }
        }
        switch qualifier {
        case nil:
            let any = values.contains { matchesPositively($0, request) }
            return negated ? !any : any
        case .forAnyValue:
            return values.contains { matchesPositively($0, request) != negated }
        case .forAllValues:
            return values.allSatisfy { matchesPositively($0, request) != negated }
        }
    }

    /// Whether one request value matches at least one policy value under the positive form of
    /// the operator (StringEquals for StringNotEquals, IpAddress for NotIpAddress…).
    func matchesPositively(_ value: String, _ request: AuthorizationRequest) -> Bool {
        switch operands {
        case let .strings(operands, ignoringCase):
            let candidate = ignoringCase ? value.lowercased() : value
            return operands.contains { operand in
                if let constant = operand.constant { return constant == candidate }
                guard let resolved = operand.template.resolved(in: request) else { return false }
                return (ignoringCase ? resolved.lowercased() : resolved) == candidate
            }
        case let .patterns(operands):
            return operands.contains { operand in
                if let pattern = operand.pattern { return pattern.matches(value) }
                guard operand.template.mayMatch(value) else { return false }
                return operand.template.matches(value, in: request)
            }
        case let .numbers(numbers):
            guard let number = Double(value) else { return false }
            return numbers.contains { $0.map { compare(number, $0) } ?? false }
        case let .dates(dates):
            guard let date = PolicyDate.seconds(from: value) else { return false }
            return dates.contains { $0.map { compare(date, $0) } ?? false }
        case let .addresses(ranges):
            guard let address = IPAddressRange.address(Substring(value)) else { return false }
            return ranges.contains { $0.contains(address) }
        case let .arns(operands):
            guard let parts = Self.arnParts(value) else { return false }
            return operands.contains { operand in
                let patterns: [WildcardPattern]
                if let constant = operand.arnParts {
                    patterns = constant
                } else {
                    guard let resolved = operand.template.resolved(in: request) else { return false }
                    patterns = Self.arnPatterns(resolved)
                }
                guard patterns.count == 6 else { return false }
                for index in 0..<6 where !patterns[index].matches(String(parts[index])) { return false }
                return true
            }
        case .presence:
            return false
        }
    }

    private func compare(_ requestValue: Double, _ policyValue: Double) -> Bool {
        switch base {
        case .numericEquals, .numericNotEquals, .dateEquals, .dateNotEquals: return requestValue == policyValue
        case .numericLessThan, .dateLessThan: return requestValue < policyValue
        case .numericLessThanEquals, .dateLessThanEquals: return requestValue <= policyValue
        case .numericGreaterThan, .dateGreaterThan: return requestValue > policyValue
        case .numericGreaterThanEquals, .dateGreaterThanEquals: return requestValue >= policyValue
        default: return false
        }
    }

    /// True when some value holds `${` that is literal text because the policy has no
    /// Version 2012-10-17.
    var containsLiteralVariableSyntax: Bool {
        switch operands {
        case let .strings(operands, _), let .patterns(operands), let .arns(operands):
            return operands.contains { $0.template.containsLiteralVariableSyntax }
        default:
            return false
        }
    }

    /// The variables the values use, as written.
    var variableNames: [String] {
        switch operands {
        case let .strings(operands, _), let .patterns(operands), let .arns(operands):
            return operands.flatMap { $0.template.variableNames }
        default:
            return []
        }
    }
}
