public import S3EmulatorAuth
import S3EmulatorCore

/// A request that has passed addressing, authentication and authorization, and is ready
/// for its handler.
public struct RequestContext: Sendable {
    public let request: S3Request
    public let requestID: String
    public let hostID: String
    public let operation: S3Operation
    public let address: RequestAddress
    public let query: QueryParameters
    /// Who signed the request, how, and how its body is framed and checked.
    public let authentication: AuthResult
    /// The head as authentication saw it; the body decoder reads its framing headers.
    let authenticationHead: AuthRequestHead
    /// The principal and condition keys, for the checks a handler makes itself (CopyObject's
    /// source, DeleteObjects' keys, ACL headers).
    let subject: AuthorizationSubject
    /// The authorization decision in one line; nil for operations checked inside the handler.
    let authorization: String?
    /// The moment the request was received.
    public let receivedAt: ContinuousClock.Instant

    /// The bucket, for operations that always have one.
    var bucket: String { address.bucket ?? "" }
    /// The key, for operations that always have one.
    var key: String { address.key ?? "" }
    var headers: S3Headers { request.headers }

    /// True when the handler reads the body, so a client waiting on `Expect: 100-continue`
    /// must be told to send it.
    public var readsBody: Bool {
        switch operation {
        case .putObject, .createBucket, .deleteObjects, .putBucketPolicy, .putPublicAccessBlock, .putBucketOwnershipControls,
             .putBucketAcl, .putObjectAcl, .putObjectTagging, .uploadPart, .completeMultipartUpload, .postObject, .putBucketCors:
            true
        default: false
        }
    }

    /// True when the client asked for `100 Continue` before sending its body.
    public var expectsContinue: Bool {
        request.headers["expect"]?.lowercased() == "100-continue"
    }
}
