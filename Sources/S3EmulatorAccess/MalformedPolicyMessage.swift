/// The messages of `MalformedPolicy` errors, as S3 words them for PutBucketPolicy.
public enum MalformedPolicyMessage {
    public static let notJSON = "Policies must be valid JSON and the first byte must be '{'"
    public static let invalidJSON = "This policy contains invalid Json"
    public static let invalidSyntax = "Invalid policy syntax."
    public static let invalidVersion = "The policy must contain a valid version string"
    public static let missingStatement = "Missing required field Statement"
    public static let emptyStatement = "Could not parse the policy: Statement is empty!"
    public static let missingEffect = "Missing required field Effect"
    public static let missingPrincipal = "Missing required field Principal"
    public static let invalidPrincipal = "Invalid principal in policy"
    public static let missingAction = "Missing required field Action"
    public static let invalidAction = "Policy has invalid action"
    public static let missingResource = "Missing required field Resource"
    public static let invalidResource = "Policy has invalid resource"
    public static let actionDoesNotApply = "Action does not apply to any resource(s) in statement"
    public static let invalidConditionKey = "Policy has an invalid condition key"
    public static let conditionDoesNotApply =
        "Conditions do not apply to combination of actions and resources in statement"
    public static let invalidIPAddress = "Invalid IP address in Conditions"
    /// IAM's message for a `Principal` in an identity-based policy.
    public static let principalInIdentityPolicy = "Policy document should not specify a principal."

    /// `Invalid effect: <value>`.
    public static func invalidEffect(_ effect: String) -> String { "Invalid effect: \(effect)" }

    /// `Invalid Condition type : <operator>` for an operator IAM does not define.
    public static func invalidConditionType(_ name: String) -> String { "Invalid Condition type : \(name)" }
}
