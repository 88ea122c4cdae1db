/// `Allow` or `Deny`.
public enum PolicyEffect: String, Sendable, Hashable {
    case allow = "Allow"
    case deny = "Deny"
}

/// One statement of a policy, compiled: action and resource patterns split into wildcard
/// matchers, the principal resolved into sets, conditions parsed.
public struct PolicyStatement: Sendable {
    /// The `Sid`, if the statement has one.
    public let sid: String?
    public let effect: PolicyEffect
    /// The statement's position in its policy, from 0.
    public let index: Int

    /// The principal element; nil in an identity-based policy, where the principal is the
    /// identity the policy is attached to.
    let principal: PolicyPrincipal?
    /// True for `NotPrincipal`.
    let principalIsNegated: Bool
    /// Action patterns, compared without regard to case (`s3:getobject` = `s3:GetObject`).
    let actions: [WildcardPattern]
    /// True for `NotAction`.
    let actionIsNegated: Bool
    /// Resource patterns, case-sensitive, possibly with policy variables.
    let resources: [ResourcePattern]
    /// True for `NotResource`.
    let resourceIsNegated: Bool
    let conditions: [PolicyCondition]

    /// A resource pattern: its template, and the compiled pattern when it holds no variable.
    struct ResourcePattern: Sendable {
        let template: PolicyTemplate
        let constant: WildcardPattern?

        init(_ text: String, variablesEnabled: Bool) {
            template = PolicyTemplate(text, variablesEnabled: variablesEnabled)
            constant = template.constantPattern(wildcards: true)
        }

        func matches(_ resource: String, _ request: AuthorizationRequest) -> Bool {
            if let constant { return constant.matches(resource) }
            guard template.mayMatch(resource) else { return false }
            return template.matches(resource, in: request)
        }
    }

    init(
        sid: String?, effect: PolicyEffect, index: Int, principal: PolicyPrincipal?, principalIsNegated: Bool,
        actions: [WildcardPattern], actionIsNegated: Bool, resources: [ResourcePattern], resourceIsNegated: Bool,
        conditions: [PolicyCondition]
    ) {
        self.sid = sid
        self.effect = effect
        self.index = index
        self.principal = principal
        self.principalIsNegated = principalIsNegated
        self.actions = actions
        self.actionIsNegated = actionIsNegated
        self.resources = resources
        self.resourceIsNegated = resourceIsNegated
        self.conditions = conditions
    }

    /// How a statement reads in traces and messages: its Sid, or its 1-based position.
    public var label: String { sid.map { $0.isEmpty ? "#\(index + 1)" : $0 } ?? "#\(index + 1)" }

    /// Where evaluating a statement against a request stopped.
    enum Outcome: Sendable, Equatable {
        case matched
        case actionNotMatched
        case resourceNotMatched
        case principalNotMatched
        /// The condition at this index of ``conditions`` does not hold.
        case conditionNotMet(Int)
    }

    /// Evaluates the statement: action, resource, principal, then each condition.
    func evaluate(_ request: AuthorizationRequest) -> Outcome {
        let actionListed = actions.contains { $0.matches(request.action) }
        guard actionListed != actionIsNegated else { return .actionNotMatched }
        let resourceListed = resources.contains { $0.matches(request.resource, request) }
        guard resourceListed != resourceIsNegated else { return .resourceNotMatched }
        if let principal {
            let named = principal.names(request.principal, canonicalUserID: request.canonicalUserID, effect: effect)
            guard named != principalIsNegated else { return .principalNotMatched }
        }
        for (index, condition) in conditions.enumerated() where !condition.evaluate(request) {
            return .conditionNotMet(index)
        }
        return .matched
    }
}
