/// How a request authenticated.
///
/// The IAM condition keys follow from it: `s3:authType` is `REST-HEADER` for the header methods and
/// `REST-QUERY-STRING` for the query methods; `s3:signatureversion` is `AWS4-HMAC-SHA256` for
/// Signature Version 4 and `AWS` for Signature Version 2.
public enum AuthMethod: Sendable, Equatable {
    /// No credentials: the anonymous principal.
    case anonymous
    /// `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    case headerV4
    /// A presigned URL: `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…`.
    case queryV4
    /// `Authorization: AWS AccessKeyId:Signature` (Signature Version 2).
    case headerV2
    /// `?AWSAccessKeyId=…&Signature=…&Expires=…` (Signature Version 2).
    case queryV2

    /// The value of the `s3:authType` condition key; nil for anonymous requests.
    public var authType: String? {
        switch self {
        case .anonymous: nil
        case .headerV4, .headerV2: "REST-HEADER"
        case .queryV4, .queryV2: "REST-QUERY-STRING"
        }
    }

    /// The value of the `s3:signatureversion` condition key; nil for anonymous requests.
    public var signatureVersion: String? {
        switch self {
        case .anonymous: nil
        case .headerV4, .queryV4: "AWS4-HMAC-SHA256"
        case .headerV2, .queryV2: "AWS"
        }
    }
}
