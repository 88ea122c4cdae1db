public import Foundation

/// Who signed a POST Object form, and the policy the signature covers.
///
/// Returned by ``SigV4Authenticator/authenticatePost(_:)``. A form without signature fields
/// is anonymous (``credential`` nil); its policy, if it has one, still applies.
public struct PostPolicyAuthentication: Sendable {
    /// The access key that signed the policy; nil for an anonymous form.
    public var credential: Credential?
    /// The parsed policy; nil when the form has none (anonymous forms only).
    public var policy: PostPolicy?
    /// `AWS4-HMAC-SHA256` or `AWS` (Signature Version 2): the value of `s3:signatureversion`;
    /// nil for an anonymous form.
    public var signatureVersion: String?
    /// Milliseconds from `x-amz-date` to the server's time (`s3:signatureAge`); SigV4 only.
    public var signatureAge: TimeInterval?

    /// A result; the authenticator builds these.
    public init(credential: Credential?, policy: PostPolicy?, signatureVersion: String?, signatureAge: TimeInterval?) {
        self.credential = credential
        self.policy = policy
        self.signatureVersion = signatureVersion
        self.signatureAge = signatureAge
    }
}
