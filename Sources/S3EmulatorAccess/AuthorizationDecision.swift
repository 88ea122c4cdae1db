import S3EmulatorCore

/// The answer to one authorization question, with AWS's AccessDenied message and an
/// explanation of how it was reached.
///
/// ```swift
/// let decision = PolicyEvaluator().evaluate(request, identityPolicies: policies, bucketPolicy: nil)
/// if !decision.allowed { throw decision.accessDenied }
/// response.headers["x-s3emu-authz"] = decision.shortTrace
/// ```
public struct AuthorizationDecision: Sendable {
    /// What allowed a request.
    public enum Grant: Sendable, Hashable {
        case statement(StatementReference)
        /// The root user of the bucket owner's account, whom only a bucket policy can deny.
        case rootUser
        /// An ACL grant.
        case accessControlList
    }

    /// The kind of answer.
    public enum Kind: Sendable, Hashable {
        case allowed(by: Grant)
        /// A `Deny` statement matched: nothing can allow the request.
        case explicitDeny(StatementReference)
        /// Nothing allowed the request.
        case implicitDeny(reason: String)
        /// A grant existed, but Block Public Access set it aside (or refused a public policy).
        case publicAccessBlocked(reason: String)
    }

    public let kind: Kind
    /// The message of the AccessDenied error (empty when allowed): AWS's wording, for example
    /// `User: arn:aws:iam::123456789012:user/steve is not authorized to perform: s3:PutObject on
    /// resource: "arn:aws:s3:::bucket/photo.jpg" because no identity-based policy allows the
    /// s3:PutObject action`, or `Access Denied` for anonymous requests.
    public let message: String
    /// What the decision was made from, kept to explain it on demand.
    let context: EvaluationContext?

    init(kind: Kind, message: String, context: EvaluationContext?) {
        self.kind = kind
        self.message = message
        self.context = context
    }

    /// True when the request may proceed.
    public var allowed: Bool {
        if case .allowed = kind { return true }
        return false
    }

    /// The `AccessDenied` error to answer a denied request with.
    public var accessDenied: S3Error { S3Error(.accessDenied, message: message) }

    /// The full explanation, one line per fact: each policy, each statement and how far it
    /// matched, which condition failed and why, the values of policy variables. Built on
    /// demand, so that deciding costs nothing for it.
    public var trace: [String] {
        guard let context else { return ["decision: \(kindSummary)"] }
        return AuthorizationTrace(context: context, decision: self).lines()
    }

    /// The explanation in one line of printable ASCII, for the `x-s3emu-authz` header.
    public var shortTrace: String {
        let text: String
        if let context {
            text = AuthorizationTrace(context: context, decision: self).shortLine()
        } else {
            text = kindSummary
        }
        return Self.headerSafe(text)
    }

    /// The kind in words.
    var kindSummary: String {
        switch kind {
        case let .allowed(.statement(reference)): return "allowed by \(reference)"
        case .allowed(.rootUser): return "allowed: root user of the bucket owner's account"
        case .allowed(.accessControlList): return "allowed by an ACL grant"
        case let .explicitDeny(reference): return "explicit deny by \(reference)"
        case let .implicitDeny(reason): return "implicit deny: \(reason)"
        case let .publicAccessBlocked(reason): return "public access blocked: \(reason)"
        }
    }

    /// Text that can travel in an HTTP header: printable ASCII only, at most 2000 bytes.
    static func headerSafe(_ text: String) -> String {
        let utf8 = text.utf8
        if utf8.count <= 2000, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return text  // the usual case: nothing to replace or cut
        }
        var result = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            result.append(scalar.value >= 0x20 && scalar.value < 0x7F ? scalar : "?")
            count += 1
            if count >= 2000 { break }
        }
        return String(result)
    }
}
