/// Builds the explanation of a decision from its inputs: every policy and statement, how far
/// each statement matched, the failing condition and the request's values, policy variables.
struct AuthorizationTrace {
    let context: EvaluationContext
    let decision: AuthorizationDecision

    private var request: AuthorizationRequest { context.request }

    // MARK: - Full trace

    func lines() -> [String] {
        var lines: [String] = []
        lines.append("request: \(principalDescription) \(request.action) on \(request.resource)")
        switch request.principal {
        case .root:
            lines.append("identity-based policies: not evaluated for the root user")
        case .anonymous:
            lines.append("identity-based policies: none (anonymous request)")
        case .user:
            if context.identityPolicies.isEmpty { lines.append("identity-based policies: none attached") }
            for policy in context.identityPolicies {
                lines.append("identity-based policy \"\(policy.name)\" (\(versionNote(policy.document)))")
                lines += statementLines(policy.document)
            }
        }
        if let bucketPolicy = context.bucketPolicy {
            lines.append(
                "bucket policy (\(versionNote(bucketPolicy)); \(bucketPolicy.isPublic ? "public" : "not public"))")
            lines += statementLines(bucketPolicy)
        } else {
            lines.append("bucket policy: none")
        }
        let block = context.publicAccessBlock
        if block != .noneBlocked {
            var on: [String] = []
            if block.blockPublicAcls { on.append("BlockPublicAcls") }
            if block.ignorePublicAcls { on.append("IgnorePublicAcls") }
            if block.blockPublicPolicy { on.append("BlockPublicPolicy") }
            if block.restrictPublicBuckets { on.append("RestrictPublicBuckets") }
            lines.append("Block Public Access: " + on.joined(separator: ", "))
        }
        switch context.acl {
        case .none: break
        case let .granted(viaPublicGroup):
            lines.append("ACL: grants the request" + (viaPublicGroup ? " through a public group" : ""))
        }
        lines.append("decision: \(decision.kindSummary)")
        return lines
    }

    private var principalDescription: String {
        switch request.principal {
        case let .root(account): return "root user of account \(account)"
        case let .user(_, _, account, arn, groups):
            let groupText = groups.isEmpty ? "" : ", groups \(groups.joined(separator: ", "))"
            return "user \(arn) (account \(account)\(groupText))"
        case .anonymous: return "anonymous"
        }
    }

    private func versionNote(_ policy: PolicyDocument) -> String {
        if policy.variablesEnabled { return "Version 2012-10-17" }
        if let version = policy.version { return "Version \(version): policy variables are literal text" }
        return "no Version: policy variables are literal text"
    }

    private func statementLines(_ policy: PolicyDocument) -> [String] {
        var lines: [String] = []
        for statement in policy.statements {
            let head = "  statement \(statement.label) (\(statement.effect.rawValue))"
            let outcome = statement.evaluate(request)
            lines.append("\(head): \(describe(outcome, statement, policy))")
            if outcome == .resourceNotMatched || outcome == .matched {
                lines += resourceNotes(statement, policy)
            }
            if case let .conditionNotMet(index) = outcome {
                lines += variableNotes(statement.conditions[index].variableNames)
                if statement.conditions[index].containsLiteralVariableSyntax {
                    lines.append(
                        "  statement \(statement.label): condition value of \(statement.conditions[index].key) "
                            + "is literal text because the policy has no Version 2012-10-17")
                }
            }
        }
        return lines
    }

    private func describe(_ outcome: PolicyStatement.Outcome, _ statement: PolicyStatement, _ policy: PolicyDocument)
        -> String
    {
        let actionList = statement.actions.map(\.text).joined(separator: ", ")
        let resourceList = statement.resources.map(\.template.text).joined(separator: ", ")
        switch outcome {
        case .actionNotMatched:
            return statement.actionIsNegated
                ? "NotAction [\(actionList)] lists \(request.action)"
                : "action \(request.action) not in Action [\(actionList)]"
        case .resourceNotMatched:
            return statement.resourceIsNegated
                ? "action matched; NotResource [\(resourceList)] covers \(request.resource)"
                : "action matched; resource \(request.resource) not in Resource [\(resourceList)]"
        case .principalNotMatched:
            let summary = statement.principal?.summary ?? ""
            let who = request.principal.displayName
            var text = statement.principalIsNegated
                ? "action and resource matched; NotPrincipal [\(summary)] names \(who)"
                : "action and resource matched; principal \(who) not in Principal [\(summary)]"
            if statement.effect == .allow, !statement.principalIsNegated,
                case let .user(_, _, account, _, _) = request.principal,
                statement.principal?.accounts.contains(account) == true
            {
                text += " (naming the account grants its users nothing without an identity-based allow)"
            }
            return text
        case let .conditionNotMet(index):
            let condition = statement.conditions[index]
            let values = condition.rawValues.joined(separator: ", ")
            let requestValues = request.values(forLowercasedKey: condition.lowercasedKey)
            let seen = requestValues.map { "request has \(condition.key) = [\($0.joined(separator: ", "))]" }
                ?? "request has no \(condition.key)"
            return "action, resource and principal matched; condition \(condition.operatorName) "
                + "{\(condition.key): [\(values)]} not met: \(seen)"
        case .matched:
            let count = statement.conditions.count
            let conditionNote = count == 0 ? "" : " (all \(count) conditions met)"
            return "matched\(conditionNote) → \(statement.effect.rawValue)"
        }
    }

    /// Lines for resources holding variables: their values, or why `${…}` is literal text.
    private func resourceNotes(_ statement: PolicyStatement, _ policy: PolicyDocument) -> [String] {
        var lines: [String] = []
        for resource in statement.resources {
            let template = resource.template
            if template.containsLiteralVariableSyntax {
                lines.append(
                    "  statement \(statement.label): resource \(template.text) is literal text "
                        + "because the policy has no Version 2012-10-17")
            } else if template.hasVariables {
                let resolved = substituted(template)
                lines.append(
                    "  statement \(statement.label): resource \(template.text) → "
                        + (resolved ?? "(no value: \(template.variableNames.joined(separator: ", ")) missing)"))
            }
        }
        return lines
    }

    /// The template with variables replaced by the request's values, for display.
    private func substituted(_ template: PolicyTemplate) -> String? {
        var result = ""
        for part in template.parts {
            switch part {
            case let .text(text): result += text
            case let .literalCharacter(byte): result.unicodeScalars.append(Unicode.Scalar(byte))
            case let .variable(key, _, defaultValue):
                guard let value = request.values(forLowercasedKey: key)?.first ?? defaultValue else { return nil }
                result += value
            }
        }
        return result
    }

    private func variableNotes(_ names: [String]) -> [String] {
        names.map { name in
            let value = request.values(forKey: name)?.joined(separator: ", ") ?? "(absent)"
            return "  variable ${\(name)} = \(value)"
        }
    }

    // MARK: - Short trace

    func shortLine() -> String {
        switch decision.kind {
        case .allowed, .explicitDeny:
            return decision.kindSummary
        case .implicitDeny, .publicAccessBlocked:
            var parts = [decision.kindSummary]
            parts += nearMisses()
            return parts.joined(separator: "; ")
        }
    }

    /// Statements whose action matched but that failed later: the likeliest explanations.
    private func nearMisses() -> [String] {
        var notes: [String] = []
        func visit(_ policy: PolicyDocument, name: String) {
            for statement in policy.statements where statement.effect == .allow {
                let outcome = statement.evaluate(request)
                let label = "\(name) \(statement.label)"
                switch outcome {
                case .actionNotMatched, .matched:
                    continue
                case .resourceNotMatched:
                    let literal = statement.resources.first { $0.template.containsLiteralVariableSyntax }
                    if let literal {
                        notes.append(
                            "\(label): resource \(literal.template.text) is literal text because the policy has no "
                                + "Version 2012-10-17")
                    } else {
                        notes.append("\(label): resource not matched")
                    }
                case .principalNotMatched:
                    notes.append("\(label): principal not matched")
                case let .conditionNotMet(index):
                    let condition = statement.conditions[index]
                    notes.append("\(label): condition \(condition.operatorName) \(condition.key) not met")
                }
            }
        }
        if case .user = request.principal {
            for policy in context.identityPolicies { visit(policy.document, name: "identity \"\(policy.name)\"") }
        }
        if let bucketPolicy = context.bucketPolicy { visit(bucketPolicy, name: "bucket policy") }
        return notes
    }
}
