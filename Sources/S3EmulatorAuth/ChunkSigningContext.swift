import Crypto

/// What signs and verifies the chunks and trailer of an aws-chunked body: the signing key and
/// scope of the request, and its timestamp.
///
/// Each chunk's string to sign chains from the previous signature (the request's signature for
/// the first chunk):
///
/// ```
/// AWS4-HMAC-SHA256-PAYLOAD\n<timestamp>\n<scope>\n<previous signature>\n<SHA-256 of "">\n<SHA-256 of the chunk>
/// AWS4-HMAC-SHA256-TRAILER\n<timestamp>\n<scope>\n<previous signature>\n<SHA-256 of the trailer lines>
/// ```
public struct ChunkSigningContext: Sendable {
    /// The access key id, for error details.
    public let accessKeyId: String
    /// The request's signing time, `20130524T000000Z`.
    public let timestamp: String
    /// `20130524/us-east-1/s3/aws4_request`.
    public let scope: String
    let signingKey: [UInt8]

    init(accessKeyId: String, timestamp: String, scope: String, signingKey: [UInt8]) {
        self.accessKeyId = accessKeyId
        self.timestamp = timestamp
        self.scope = scope
        self.signingKey = signingKey
    }

    /// The string to sign of a chunk whose data hashes to `chunkSHA256` (lowercase hex).
    public func chunkStringToSign(previousSignature: String, chunkSHA256: String) -> String {
        "AWS4-HMAC-SHA256-PAYLOAD\n\(timestamp)\n\(scope)\n\(previousSignature)\n\(SigV4.emptySHA256)\n\(chunkSHA256)"
    }

    /// The signature of a chunk whose data hashes to `chunkSHA256` (lowercase hex).
    public func chunkSignature(previousSignature: String, chunkSHA256: String) -> String {
        SigV4.hexSignature(
            key: signingKey, message: chunkStringToSign(previousSignature: previousSignature, chunkSHA256: chunkSHA256))
    }

    /// The signature of a chunk of `data`.
    public func chunkSignature(previousSignature: String, data: some Sequence<UInt8>) -> String {
        chunkSignature(previousSignature: previousSignature, chunkSHA256: AuthBytes.hex(SHA256.hash(data: Array(data))))
    }

    /// The canonical form of trailing headers that their signature covers: `name:value\n` each.
    static func canonicalTrailers(_ trailers: [(name: String, value: String)]) -> String {
        var text = ""
        for trailer in trailers {
            text += trailer.name
            text += ":"
            text += trailer.value
            text += "\n"
        }
        return text
    }

    /// The string to sign of the trailing headers `trailers` (without `x-amz-trailer-signature`).
    public func trailerStringToSign(previousSignature: String, trailers: [(name: String, value: String)]) -> String {
        let hash = SigV4.sha256Hex(Self.canonicalTrailers(trailers))
        return "AWS4-HMAC-SHA256-TRAILER\n\(timestamp)\n\(scope)\n\(previousSignature)\n\(hash)"
    }

    /// The value of `x-amz-trailer-signature` for `trailers`.
    public func trailerSignature(previousSignature: String, trailers: [(name: String, value: String)]) -> String {
        SigV4.hexSignature(
            key: signingKey, message: trailerStringToSign(previousSignature: previousSignature, trailers: trailers))
    }
}
