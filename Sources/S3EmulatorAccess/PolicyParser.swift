import S3EmulatorCore

/// Reads a policy document: JSON → elements → compiled statements, refusing the first fault
/// with the `MalformedPolicy` message S3 gives for it.
struct PolicyParser {
    let text: String
    let kind: PolicyDocument.Kind
    let principalExists: (@Sendable (String) -> Bool)?

    private var isBucketPolicy: Bool {
        if case .bucketPolicy = kind { return true }
        return false
    }

    private func fail(_ message: String) -> S3Error {
        S3Error(.malformedPolicy, message: message)
    }

    func parse() throws -> PolicyDocument {
        guard text.utf8.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
            throw fail(MalformedPolicyMessage.notJSON)
        }
        let json: PolicyJSON
        do {
            json = try PolicyJSON.parse(text)
        } catch {
            throw fail(MalformedPolicyMessage.invalidJSON)
        }
        guard case let .object(members, duplicateNames) = json else { throw fail(MalformedPolicyMessage.notJSON) }
        guard !duplicateNames else { throw fail(MalformedPolicyMessage.invalidSyntax) }
        var version: String?
        var id: String?
        var statementJSON: PolicyJSON?
        for (name, value) in members {
            switch name {
            case "Version":
                guard case let .string(text) = value, text == "2012-10-17" || text == "2008-10-17" else {
                    throw fail(MalformedPolicyMessage.invalidVersion)
                }
                version = text
            case "Id":
                guard case let .string(text) = value else { throw fail(MalformedPolicyMessage.invalidSyntax) }
                id = text
            case "Statement":
                statementJSON = value
            default:
                throw fail(MalformedPolicyMessage.invalidSyntax)
            }
        }
        let variablesEnabled = version == PolicyDocument.currentVersion
        guard let statementJSON else { throw fail(MalformedPolicyMessage.missingStatement) }
        let elements: [PolicyJSON]
        switch statementJSON {
        case let .array(items):
            guard !items.isEmpty else { throw fail(MalformedPolicyMessage.emptyStatement) }
            elements = items
        case .object:
            elements = [statementJSON]
        default:
            throw fail(MalformedPolicyMessage.invalidSyntax)
        }
        var statements: [PolicyStatement] = []
        statements.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            statements.append(try statement(element, index: index, variablesEnabled: variablesEnabled))
        }
        return PolicyDocument(kind: kind, text: text, version: version, id: id, statements: statements)
    }

    // MARK: - Statements

    private func statement(_ json: PolicyJSON, index: Int, variablesEnabled: Bool) throws -> PolicyStatement {
        guard case let .object(members, duplicateNames) = json, !duplicateNames else {
            throw fail(MalformedPolicyMessage.invalidSyntax)
        }
        var sid: String?
        var effectJSON: PolicyJSON?
        var principalJSON: (PolicyJSON, negated: Bool)?
        var actionJSON: (PolicyJSON, negated: Bool)?
        var resourceJSON: (PolicyJSON, negated: Bool)?
        var conditionJSON: PolicyJSON?
        func once<T>(_ slot: inout T?, _ value: T) throws {
            guard slot == nil else { throw fail(MalformedPolicyMessage.invalidSyntax) }
            slot = value
        }
        for (name, value) in members {
            switch name {
            case "Sid":
                guard case let .string(text) = value else { throw fail(MalformedPolicyMessage.invalidSyntax) }
                sid = text
            case "Effect": try once(&effectJSON, value)
            case "Principal": try once(&principalJSON, (value, false))
            case "NotPrincipal": try once(&principalJSON, (value, true))
            case "Action": try once(&actionJSON, (value, false))
            case "NotAction": try once(&actionJSON, (value, true))
            case "Resource": try once(&resourceJSON, (value, false))
            case "NotResource": try once(&resourceJSON, (value, true))
            case "Condition": try once(&conditionJSON, value)
            default: throw fail(MalformedPolicyMessage.invalidSyntax)
            }
        }

        guard let effectJSON else { throw fail(MalformedPolicyMessage.missingEffect) }
        guard case let .string(effectText) = effectJSON else { throw fail(MalformedPolicyMessage.invalidSyntax) }
        guard let effect = PolicyEffect(rawValue: effectText) else {
            throw fail(MalformedPolicyMessage.invalidEffect(effectText))
        }

        var principal: PolicyPrincipal?
        var principalIsNegated = false
        if isBucketPolicy {
            guard let (json, negated) = principalJSON else { throw fail(MalformedPolicyMessage.missingPrincipal) }
            do {
                principal = try PolicyPrincipal(json: json, principalExists: principalExists)
            } catch {
                throw fail(MalformedPolicyMessage.invalidPrincipal)
            }
            principalIsNegated = negated
        } else if principalJSON != nil {
            throw fail(MalformedPolicyMessage.principalInIdentityPolicy)
        }

        guard let (actionValue, actionIsNegated) = actionJSON else { throw fail(MalformedPolicyMessage.missingAction) }
        let actionTexts = try strings(actionValue)
        guard !actionTexts.isEmpty else { throw fail(MalformedPolicyMessage.invalidAction) }
        var actions: [WildcardPattern] = []
        var namedActions: [[S3ActionCatalog.Action]] = []
        for text in actionTexts {
            let (pattern, named) = try action(text)
            actions.append(pattern)
            namedActions.append(named)
        }

        guard let (resourceValue, resourceIsNegated) = resourceJSON else {
            throw fail(MalformedPolicyMessage.missingResource)
        }
        let resourceTexts = try strings(resourceValue)
        guard !resourceTexts.isEmpty else { throw fail(MalformedPolicyMessage.invalidResource) }
        for text in resourceTexts { try checkResource(text) }
        let resources = resourceTexts.map { PolicyStatement.ResourcePattern($0, variablesEnabled: variablesEnabled) }

        if isBucketPolicy, !actionIsNegated, !resourceIsNegated {
            let reachable = resourceTexts.reduce(into: S3ActionCatalog.ResourceKinds()) { $0.formUnion(kinds(of: $1)) }
            for named in namedActions where !named.contains(where: { !$0.kinds.isDisjoint(with: reachable) }) {
                throw fail(MalformedPolicyMessage.actionDoesNotApply)
            }
        }

        var conditions: [PolicyCondition] = []
        if let conditionJSON {
            conditions = try self.conditions(
                conditionJSON, variablesEnabled: variablesEnabled,
                namedActions: actionIsNegated ? nil : Set(namedActions.joined().map(\.lowercasedName)))
        }

        return PolicyStatement(
            sid: sid, effect: effect, index: index, principal: principal, principalIsNegated: principalIsNegated,
            actions: actions, actionIsNegated: actionIsNegated, resources: resources,
            resourceIsNegated: resourceIsNegated, conditions: conditions)
    }

    /// An element that takes a string or an array of strings.
    private func strings(_ json: PolicyJSON) throws -> [String] {
        switch json {
        case let .string(text): return [text]
        case let .array(items):
            return try items.map {
                guard case let .string(text) = $0 else { throw fail(MalformedPolicyMessage.invalidSyntax) }
                return text
            }
        default:
            throw fail(MalformedPolicyMessage.invalidSyntax)
        }
    }

    // MARK: - Actions

    /// Compiles one action pattern and lists the S3 actions it names. `*` names every action;
    /// an `s3:` pattern must name at least one action S3 defines. Identity policies may name
    /// other services' actions (`iam:*`), which never match an S3 request.
    private func action(_ text: String) throws -> (WildcardPattern, [S3ActionCatalog.Action]) {
        if text == "*" { return (WildcardPattern("*"), S3ActionCatalog.all) }
        guard let colon = text.firstIndex(of: ":") else { throw fail(MalformedPolicyMessage.invalidAction) }
        let service = text[text.startIndex..<colon].lowercased()
        let name = text[text.index(after: colon)...]
        guard !name.isEmpty, !service.isEmpty,
            service.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }),
            name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") })
        else { throw fail(MalformedPolicyMessage.invalidAction) }
        let pattern = WildcardPattern(text, ignoringCase: true)
        guard service == "s3" else {
            if isBucketPolicy { throw fail(MalformedPolicyMessage.invalidAction) }
            return (pattern, [])
        }
        let namePattern = WildcardPattern(String(name), ignoringCase: true)
        let named = S3ActionCatalog.actions(matching: namePattern)
        guard !named.isEmpty else { throw fail(MalformedPolicyMessage.invalidAction) }
        return (pattern, named)
    }

    // MARK: - Resources

    private static let s3ARNPrefix = "arn:aws:s3:::"

    /// A bucket policy's resources must be S3 ARNs in its bucket; an identity policy's must be
    /// ARNs or `*`.
    private func checkResource(_ text: String) throws {
        switch kind {
        case let .bucketPolicy(bucket):
            guard text.hasPrefix(Self.s3ARNPrefix) else { throw fail(MalformedPolicyMessage.invalidResource) }
            let rest = text.dropFirst(Self.s3ARNPrefix.count)
            let bucketPart = rest.firstIndex(of: "/").map { rest[rest.startIndex..<$0] } ?? rest
            guard !bucketPart.isEmpty else { throw fail(MalformedPolicyMessage.invalidResource) }
            if bucketPart.contains("${") { return }
            guard WildcardPattern(String(bucketPart)).matches(bucket) else {
                throw fail(MalformedPolicyMessage.invalidResource)
            }
        case .identityPolicy:
            guard text == "*" || text.hasPrefix("arn:") else { throw fail(MalformedPolicyMessage.invalidResource) }
        }
    }

    /// The kinds of S3 resource a resource pattern can match: a bucket ARN has no `/` after the
    /// bucket name, an object ARN has one; a wildcard can stand for either.
    private func kinds(of resource: String) -> S3ActionCatalog.ResourceKinds {
        let rest = resource.dropFirst(Self.s3ARNPrefix.count)
        if rest.contains("/") { return .object }
        if rest.contains("*") || rest.contains("?") { return [.bucket, .object] }
        return .bucket
    }

    // MARK: - Conditions

    private func conditions(_ json: PolicyJSON, variablesEnabled: Bool, namedActions: Set<String>?) throws
        -> [PolicyCondition]
    {
        guard case let .object(operators, duplicateOperators) = json, !duplicateOperators else {
            throw fail(MalformedPolicyMessage.invalidSyntax)
        }
        var conditions: [PolicyCondition] = []
        for (operatorName, block) in operators {
            guard let (base, qualifier, ifExists) = PolicyCondition.parseOperator(operatorName) else {
                throw fail(MalformedPolicyMessage.invalidConditionType(operatorName))
            }
            guard case let .object(keys, duplicateKeys) = block, !duplicateKeys else {
                throw fail(MalformedPolicyMessage.invalidSyntax)
            }
            for (key, valueJSON) in keys {
                if isBucketPolicy {
                    guard S3ConditionKeyCatalog.isValidInBucketPolicy(key) else {
                        throw fail(MalformedPolicyMessage.invalidConditionKey)
                    }
                    if let namedActions, let supporting = S3ConditionKeyCatalog.actionsSupportingKey[key.lowercased()],
                        supporting.isDisjoint(with: namedActions)
                    {
                        throw fail(MalformedPolicyMessage.conditionDoesNotApply)
                    }
                } else {
                    guard !key.isEmpty else { throw fail(MalformedPolicyMessage.invalidConditionKey) }
                }
                let values: [String]
                switch valueJSON {
                case .array(let items):
                    values = try items.map {
                        guard let text = $0.scalarText else { throw fail(MalformedPolicyMessage.invalidSyntax) }
                        return text
                    }
                default:
                    guard let text = valueJSON.scalarText else { throw fail(MalformedPolicyMessage.invalidSyntax) }
                    values = [text]
                }
                do {
                    conditions.append(
                        try PolicyCondition(
                            operatorName: operatorName, base: base, qualifier: qualifier, ifExists: ifExists,
                            key: key, values: values, variablesEnabled: variablesEnabled))
                } catch .invalidAddress {
                    throw fail(MalformedPolicyMessage.invalidIPAddress)
                } catch .invalidNullValue {
                    throw fail(MalformedPolicyMessage.invalidSyntax)
                }
            }
        }
        return conditions
    }
}
