import Crypto
import Foundation
import S3EmulatorCore

/// Signs S3 requests with Signature Version 4: the `Authorization` header, presigned URLs, and
/// the chunks of an aws-chunked body. For test harnesses and tools; the server verifies with
/// ``SigV4Authenticator``.
///
/// ```swift
/// let signer = SigV4Signer(accessKeyId: "test", secretAccessKey: "test", region: "us-east-1")
/// let head = AuthRequestHead(method: "GET", rawPath: "/bucket/key", headers: [("host", "localhost:9000")])
/// let signed = signer.sign(head, payloadHash: SigV4Signer.unsignedPayload, date: Date())
/// let url = signer.presign(head, expires: 3600, date: Date()).rawQuery   // X-Amz-Algorithm=…&X-Amz-Signature=…
/// ```
public struct SigV4Signer: Sendable {
    /// `x-amz-content-sha256` for a body the signature does not cover.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty body.
    public static let emptyPayloadSHA256 = SigV4.emptySHA256

    /// The access key id that goes in the credential scope.
    public let accessKeyId: String
    /// The secret the signing key derives from.
    public let secretAccessKey: String
    /// The region of the credential scope, for example `us-east-1`.
    public let region: String
    /// The service of the credential scope: `s3`.
    public let service: String

    /// A signer for the access key `accessKeyId` in `region`.
    public init(accessKeyId: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// `20130524/us-east-1/s3/aws4_request`.
    public func credentialScope(date: Date) -> String {
        "\(AmazonDate.formatDateStamp(date))/\(region)/\(service)/\(SigV4.terminator)"
    }

    /// The canonical request of `head`, signing `signedHeaders` (lowercase, in order).
    /// `presigned` leaves `X-Amz-Signature` out of the query.
    public func canonicalRequest(
        _ head: AuthRequestHead, signedHeaders: [String], payloadHash: String, presigned: Bool = false
    ) -> String {
        CanonicalRequest(
            head: head, signedHeaders: signedHeaders, payloadHash: payloadHash, excludingSignatureParameter: presigned
        ).text
    }

    /// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<SHA-256 of the canonical request>`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        SigV4.stringToSign(
            timestamp: AmazonDate.formatBasic(date), scope: credentialScope(date: date), canonicalRequest: canonicalRequest)
    }

    /// The hex signature of `stringToSign` with the signing key of `date`.
    public func signature(stringToSign: String, date: Date) -> String {
        SigV4.hexSignature(key: signingKey(date: date), message: stringToSign)
    }

    /// Signs `head` in the `Authorization` header. Adds `x-amz-date` and `x-amz-content-sha256`
    /// (replacing any), then signs `signedHeaders`, or by default every header but
    /// `authorization`, `user-agent` and `expect`.
    /// - Returns: the signed head and its signature (the seed of an aws-chunked body).
    public func sign(
        _ head: AuthRequestHead, payloadHash: String, date: Date, signedHeaders: [String]? = nil
    ) -> (head: AuthRequestHead, signature: String) {
        var signed = head
        signed.headers.removeAll {
            $0.name == "x-amz-date" || $0.name == "x-amz-content-sha256" || $0.name == "authorization"
        }
        signed.headers.append(("x-amz-date", AmazonDate.formatBasic(date)))
        signed.headers.append(("x-amz-content-sha256", payloadHash))
        let names = signedHeaders ?? Self.defaultSignedHeaders(signed.headers)
        let canonical = canonicalRequest(signed, signedHeaders: names, payloadHash: payloadHash)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        let value =
            "\(SigV4.algorithm) Credential=\(accessKeyId)/\(credentialScope(date: date)), SignedHeaders=\(names.joined(separator: ";")), Signature=\(signature)"
        signed.headers.append(("authorization", value))
        return (signed, signature)
    }

    /// Presigns `head`: appends `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
    /// `X-Amz-Expires`, `X-Amz-SignedHeaders` and `X-Amz-Signature` to its raw query. Signs
    /// `host` only unless `signedHeaders` says otherwise; the payload is `UNSIGNED-PAYLOAD`.
    public func presign(
        _ head: AuthRequestHead, expires: Int, date: Date, signedHeaders: [String] = ["host"]
    ) -> AuthRequestHead {
        var presigned = head
        let parameters = [
            ("X-Amz-Algorithm", SigV4.algorithm),
            ("X-Amz-Credential", "\(accessKeyId)/\(credentialScope(date: date))"),
            ("X-Amz-Date", AmazonDate.formatBasic(date)),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedHeaders.joined(separator: ";")),
        ]
        var query = head.rawQuery ?? ""
        for (name, value) in parameters {
            if !query.isEmpty { query += "&" }
            query += "\(name)=\(URIEncoding.encode(value, encodeSlash: true))"
        }
        presigned.rawQuery = query
        let canonical = canonicalRequest(
            presigned, signedHeaders: signedHeaders, payloadHash: Self.unsignedPayload, presigned: true)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        presigned.rawQuery = query + "&X-Amz-Signature=\(signature)"
        return presigned
    }

    /// The context that signs the chunks and trailer of an aws-chunked body sent at `date`.
    public func chunkSigningContext(date: Date) -> ChunkSigningContext {
        ChunkSigningContext(
            accessKeyId: accessKeyId, timestamp: AmazonDate.formatBasic(date), scope: credentialScope(date: date),
            signingKey: signingKey(date: date))
    }

    /// `data` as an aws-chunked body in chunks of `chunkSize` bytes (the last one shorter), then
    /// the final empty chunk and, for the trailer modes, `trailers`. The signed modes chain the
    /// chunk signatures from `seedSignature`, the request's signature.
    public func awsChunkedBody(
        _ data: [UInt8], chunkSize: Int, mode: PayloadMode, seedSignature: String, date: Date,
        trailers: [(name: String, value: String)] = []
    ) -> [UInt8] {
        let context = chunkSigningContext(date: date)
        let signed = mode == .streamingSigned || mode == .streamingSignedTrailer
        var previous = seedSignature
        var body: [UInt8] = []
        body.reserveCapacity(data.count + data.count / max(chunkSize, 1) * 100 + 200)
        func appendChunk(_ chunk: ArraySlice<UInt8>) {
            body += String(chunk.count, radix: 16).utf8
            if signed {
                previous = context.chunkSignature(previousSignature: previous, data: chunk)
                body += ";chunk-signature=\(previous)".utf8
            }
            body += "\r\n".utf8
            body += chunk
            if !chunk.isEmpty { body += "\r\n".utf8 }
        }
        var offset = 0
        while offset < data.count {
            let end = min(offset + max(chunkSize, 1), data.count)
            appendChunk(data[offset..<end])
            offset = end
        }
        appendChunk([])
        if mode == .streamingSignedTrailer || mode == .streamingUnsignedTrailer {
            for trailer in trailers {
                body += "\(trailer.name):\(trailer.value)\r\n".utf8
            }
            if mode == .streamingSignedTrailer {
                let signature = context.trailerSignature(previousSignature: previous, trailers: trailers)
                body += "x-amz-trailer-signature:\(signature)\r\n".utf8
            }
        }
        body += "\r\n".utf8
        return body
    }

    private func signingKey(date: Date) -> [UInt8] {
        SigV4.signingKey(
            secret: secretAccessKey, date: AmazonDate.formatDateStamp(date), region: region, service: service)
    }

    private static func defaultSignedHeaders(_ headers: [(name: String, value: String)]) -> [String] {
        let excluded: Set<String> = ["authorization", "user-agent", "expect"]
        return Set(headers.map(\.name).filter { !excluded.contains($0) }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
