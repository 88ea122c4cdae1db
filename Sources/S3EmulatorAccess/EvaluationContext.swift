/// The inputs of one evaluation, kept by a decision so that its trace can be built later.
struct EvaluationContext: Sendable {
    let request: AuthorizationRequest
    let identityPolicies: [IdentityPolicy]
    let bucketPolicy: PolicyDocument?
    let publicAccessBlock: PublicAccessBlockConfiguration
    let acl: ACLGrant
}
