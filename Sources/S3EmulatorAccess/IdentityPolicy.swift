/// An identity-based policy as it applies to a request: attached to the user, or to one of the
/// user's groups, under a name that traces and decisions show.
///
/// ```swift
/// IdentityPolicy(name: "group media-uploaders: group-policy", document: try PolicyDocument(
///     parsing: groupPolicyJSON, kind: .identityPolicy))
/// ```
public struct IdentityPolicy: Sendable {
    /// How traces name the policy, for example `user steve: steve-policy`.
    public var name: String
    public var document: PolicyDocument

    public init(name: String, document: PolicyDocument) {
        self.name = name
        self.document = document
    }
}
