/// What the request says about its body, from `x-amz-content-sha256`.
public enum PayloadMode: Sendable, Equatable {
    /// The signature does not cover the body (anonymous requests, Signature Version 2).
    case none
    /// `UNSIGNED-PAYLOAD`.
    case unsignedPayload
    /// The lowercase hex SHA-256 the body must hash to (`XAmzContentSHA256Mismatch` otherwise).
    case sha256(String)
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an aws-chunked body with a signature on every chunk.
    case streamingSigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks, then signed trailing headers.
    case streamingSignedTrailer
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an aws-chunked body without signatures, then trailing headers.
    case streamingUnsignedTrailer

    /// Whether the body is aws-chunked.
    public var isStreaming: Bool {
        switch self {
        case .streamingSigned, .streamingSignedTrailer, .streamingUnsignedTrailer: true
        case .none, .unsignedPayload, .sha256: false
        }
    }

    /// Whether the body ends with trailing headers.
    public var hasTrailer: Bool {
        self == .streamingSignedTrailer || self == .streamingUnsignedTrailer
    }

    /// Whether each chunk carries a signature.
    var isSignedStreaming: Bool {
        self == .streamingSigned || self == .streamingSignedTrailer
    }
}
