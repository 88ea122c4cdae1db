/// The message of an `AccessDenied` error, in AWS's current form.
///
/// Requests of the bucket owner's own account get the explicit form, which names the principal,
/// the action, the resource and the kind of policy; anonymous and cross-account requests get
/// the plain `Access Denied`, as AWS answers them.
enum AccessDeniedMessage {
    static let generic = "Access Denied"

    static func make(_ kind: AuthorizationDecision.Kind, _ request: AuthorizationRequest) -> String {
        guard let arn = request.principal.arn, request.principal.account == request.bucketOwnerAccount else {
            return generic
        }
        let head = "User: \(arn) is not authorized to perform: \(request.action)\(resourcePart(request))"
        switch kind {
        case let .explicitDeny(reference):
            switch reference.policy {
            case .identityPolicy: return "\(head) with an explicit deny in an identity-based policy"
            case .bucketPolicy: return "\(head) with an explicit deny in a resource-based policy"
            }
        case .implicitDeny:
            return "\(head) because no identity-based policy allows the \(request.action) action"
        case .publicAccessBlocked:
            return generic
        case .allowed:
            return ""
        }
    }

    /// ` on resource: "arn…"`, which AWS leaves out for actions that take no resource
    /// (`s3:ListAllMyBuckets`).
    private static func resourcePart(_ request: AuthorizationRequest) -> String {
        if let action = S3ActionCatalog.action(fullName: request.action), action.kinds.isEmpty {
            return ""
        }
        if request.resource.isEmpty || request.resource == "*" { return "" }
        return " on resource: \"\(request.resource)\""
    }
}
