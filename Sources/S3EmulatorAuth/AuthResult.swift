import Foundation

/// The outcome of authenticating a request head.
public struct AuthResult: Sendable {
    /// How the request authenticated.
    public var method: AuthMethod
    /// The access key that signed the request; nil for anonymous requests.
    public var credential: Credential?
    /// What the body must be checked against while it streams.
    public var payload: PayloadMode
    /// Milliseconds from the signing time (`x-amz-date`, `X-Amz-Date`, `Date`) to the time of the
    /// server: the value of the `s3:signatureAge` condition key. Nil for anonymous requests and
    /// Signature Version 2 presigned URLs (which have no signing time).
    public var signatureAge: TimeInterval?
    /// The signature of the request, which the first chunk of a signed aws-chunked body chains from.
    public var seedSignature: String?
    /// The key and scope that verify chunk and trailer signatures; set for the signed streaming modes.
    public var signingContext: ChunkSigningContext?

    /// A result; the authenticator builds these.
    public init(
        method: AuthMethod,
        credential: Credential?,
        payload: PayloadMode,
        signatureAge: TimeInterval? = nil,
        seedSignature: String? = nil,
        signingContext: ChunkSigningContext? = nil
    ) {
        self.method = method
        self.credential = credential
        self.payload = payload
        self.signatureAge = signatureAge
        self.seedSignature = seedSignature
        self.signingContext = signingContext
    }

    /// The result of a request without credentials.
    public static let anonymous = AuthResult(method: .anonymous, credential: nil, payload: .none)
}
