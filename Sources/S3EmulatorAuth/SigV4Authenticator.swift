import Foundation
import S3EmulatorCore

/// Authenticates S3 requests from their head, before any body byte is read, as S3 does:
/// Signature Version 4 in the `Authorization` header or a presigned URL, legacy Signature
/// Version 2 in the header or the query, or no credentials at all (anonymous).
///
/// Every refusal is the `S3Error` AWS S3 answers with — code, status, message and the extra
/// elements of its error body (a `SignatureDoesNotMatch` carries the `StringToSign` and
/// `CanonicalRequest` the server computed, and their bytes).
///
/// ```swift
/// let authenticator = SigV4Authenticator(region: "us-east-1", credentials: store, clock: SystemClock())
/// let result = try authenticator.authenticate(head)   // throws(S3Error)
/// var decoder = result.bodyDecoder(for: head)
/// ```
public struct SigV4Authenticator: Sendable {
    /// The region requests must be signed for.
    public let region: String
    /// Whether Signature Version 2 is accepted; when false it is refused as AWS regions opened
    /// after 2014 refuse it.
    public let acceptsSignatureVersion2: Bool
    let credentials: any CredentialStore
    let clock: any S3Clock
    let signingKeys: SigningKeyCache

    /// An authenticator for requests signed for `region`, with keys from `credentials` and the
    /// time from `clock` (for the 15-minute skew and presigned URL expiry).
    public init(
        region: String, credentials: any CredentialStore, clock: any S3Clock, acceptsSignatureVersion2: Bool = true
    ) {
        self.region = region
        self.credentials = credentials
        self.clock = clock
        self.acceptsSignatureVersion2 = acceptsSignatureVersion2
        self.signingKeys = SigningKeyCache()
    }

    /// Authenticates the request head. Throws `S3Error` with AWS's exact code, status and message.
    public func authenticate(_ head: AuthRequestHead) throws(S3Error) -> AuthResult {
        try authenticate(head, tryingPresignedFastPath: true)
    }

    /// ``authenticate(_:)``, optionally without ``authenticatePresignedURL(_:now:)`` (tests
    /// compare the two paths).
    func authenticate(_ head: AuthRequestHead, tryingPresignedFastPath: Bool) throws(S3Error) -> AuthResult {
        let now = clock.now()
        if tryingPresignedFastPath, let result = authenticatePresignedURL(head, now: now) {
            return result
        }
        let query = QueryParameters(head.rawQuery)
        let authorization = head.firstValue("authorization").flatMap { $0.isEmpty ? nil : $0 }
        let isQueryV4 = query.contains("x-amz-algorithm") || query.contains("x-amz-credential")
            || query.contains("x-amz-signature")
        let isQueryV2 = query.containsExactly("Signature") || query.containsExactly("AWSAccessKeyId")

        if let authorization, isQueryV4 || isQueryV2 {
            throw .onlyOneAuthMechanism(argumentName: "Authorization", argumentValue: authorization)
        }
        if isQueryV4 && isQueryV2 {
            throw .onlyOneAuthMechanism(
                argumentName: "X-Amz-Algorithm", argumentValue: query.first("x-amz-algorithm") ?? "")
        }
        if let authorization {
            if Self.hasScheme(authorization, SigV4.algorithm) {
                return try authenticateHeaderV4(head, authorization: authorization, now: now)
            }
            if Self.hasScheme(authorization, "AWS4-ECDSA-P256-SHA256") {
                throw .signatureV4aNotImplemented
            }
            if Self.hasScheme(authorization, "AWS") {
                return try authenticateHeaderV2(head, authorization: authorization, now: now)
            }
            throw .unsupportedAuthorizationType(authorization)
        }
        if isQueryV4 {
            return try authenticateQueryV4(head, query: query, now: now)
        }
        if isQueryV2 {
            return try authenticateQueryV2(head, query: query, now: now)
        }
        return try authenticateAnonymous(head)
    }

    /// Whether `authorization` is `scheme` followed by a space (or nothing).
    private static func hasScheme(_ authorization: String, _ scheme: String) -> Bool {
        guard authorization.hasPrefix(scheme) else { return false }
        let rest = authorization.utf8.dropFirst(scheme.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: " ")
    }

    private func authenticateAnonymous(_ head: AuthRequestHead) throws(S3Error) -> AuthResult {
        guard let contentSHA256 = head.firstValue("x-amz-content-sha256") else { return .anonymous }
        let payload = try Self.payloadMode(contentSHA256)
        if payload.isSignedStreaming {
            throw S3Error(.accessDenied, message: "A signed aws-chunked body needs a signed request.")
        }
        if payload.isStreaming {
            _ = try Self.decodedContentLength(head)
        }
        return AuthResult(method: .anonymous, credential: nil, payload: payload)
    }

    // MARK: - Shared checks

    /// The payload mode that an `x-amz-content-sha256` value declares.
    static func payloadMode(_ value: String) throws(S3Error) -> PayloadMode {
        switch value {
        case "UNSIGNED-PAYLOAD": return .unsignedPayload
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": return .streamingSigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": return .streamingSignedTrailer
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER": return .streamingUnsignedTrailer
        case "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
            throw .signatureV4aNotImplemented
        default:
            guard AuthBytes.isHex(value, count: 64) else { throw .invalidContentSHA256(value) }
            return .sha256(value.lowercased())
        }
    }

    /// `x-amz-decoded-content-length`, which an aws-chunked body requires.
    static func decodedContentLength(_ head: AuthRequestHead) throws(S3Error) -> Int64 {
        guard let value = head.firstValue("x-amz-decoded-content-length"),
            let length = Int64(value.trimmingHTTPWhitespace()), length >= 0
        else { throw .missingDecodedContentLength }
        return length
    }

    /// The parts of `<access key id>/<yyyyMMdd>/<region>/<service>/aws4_request`.
    struct CredentialScope {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String

        var scope: String { "\(date)/\(region)/\(service)/\(SigV4.terminator)" }
    }

    /// Parses and checks a credential; `fail` turns a problem into the error of the header or
    /// the query form.
    func parseCredential(
        _ credential: String, fail: (String, [(name: String, value: String)]) -> S3Error
    ) throws(S3Error) -> CredentialScope {
        // The five parts of <key>/<date>/<region>/<service>/aws4_request, as ranges of the UTF-8.
        let utf8 = credential.utf8
        var slashes: [String.Index] = []
        slashes.reserveCapacity(4)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                slashes.append(index)
                if slashes.count > 4 { throw fail(S3Error.malformedCredential, []) }
            }
            utf8.formIndex(after: &index)
        }
        guard slashes.count == 4, slashes[0] != utf8.startIndex else { throw fail(S3Error.malformedCredential, []) }
        func part(_ number: Int) -> Substring {
            let start = number == 0 ? credential.startIndex : utf8.index(after: slashes[number - 1])
            return credential[start..<(number == 4 ? credential.endIndex : slashes[number])]
        }
        let date = part(1)
        guard date.utf8.count == 8, AmazonDate.parseDateStamp(date) != nil else {
            throw fail(S3Error.incorrectDateFormat(String(date)), [])
        }
        let regionPart = part(2)
        guard regionPart == region else {
            throw fail(S3Error.wrongRegion(String(regionPart), expecting: region), [("Region", region)])
        }
        let service = part(3)
        guard service == "s3" else { throw fail(S3Error.incorrectService(String(service)), []) }
        let terminal = part(4)
        guard terminal == SigV4.terminator else { throw fail(S3Error.incorrectTerminal(String(terminal)), []) }
        return CredentialScope(accessKeyId: String(part(0)), date: String(date), region: region, service: "s3")
    }

    /// Refuses a request with an `x-amz-*` header (or no `host`) outside `SignedHeaders`.
    static func checkSignedHeaders(_ signedHeaders: [String], in head: AuthRequestHead) throws(S3Error) {
        var unsigned: [String] = []
        if !signedHeaders.contains("host") {
            unsigned.append("host")
        }
        for header in head.headers
        where header.name.hasPrefix("x-amz-") && !signedHeaders.contains(header.name) && !unsigned.contains(header.name) {
            unsigned.append(header.name)
        }
        if !unsigned.isEmpty {
            throw .headersNotSigned(unsigned)
        }
    }

    /// Milliseconds between two instants.
    static func milliseconds(from start: Date, to end: Date) -> Int64 {
        Int64(((end.timeIntervalSince1970 - start.timeIntervalSince1970) * 1000).rounded())
    }

    func chunkContext(scope: CredentialScope, timestamp: String, signingKey: [UInt8]) -> ChunkSigningContext {
        ChunkSigningContext(
            accessKeyId: scope.accessKeyId, timestamp: timestamp, scope: scope.scope, signingKey: signingKey)
    }
}
