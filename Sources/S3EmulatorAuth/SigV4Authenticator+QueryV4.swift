import Foundation
import S3EmulatorCore

extension SigV4Authenticator {
    /// The longest validity of a presigned URL: 7 days.
    static let maximumExpires: Int64 = 604_800

    /// A presigned URL: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Signature` in the query (names in any letter case).
    func authenticateQueryV4(_ head: AuthRequestHead, query: QueryParameters, now: Date) throws(S3Error) -> AuthResult {
        guard let algorithm = query.first("x-amz-algorithm"), let credentialValue = query.first("x-amz-credential"),
            let signatureValue = query.first("x-amz-signature"), let dateValue = query.first("x-amz-date"),
            let signedHeadersValue = query.first("x-amz-signedheaders"), let expiresValue = query.first("x-amz-expires")
        else { throw S3Error(.authorizationQueryParametersError) }

        if algorithm == "AWS4-ECDSA-P256-SHA256" {
            throw .signatureV4aNotImplemented
        }
        guard algorithm == SigV4.algorithm else {
            throw .authorizationQueryParametersError(
                "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")
        }
        guard let requestDate = AmazonDate.parseBasic(dateValue) else {
            throw .authorizationQueryParametersError(
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard let expires = Int64(expiresValue) else {
            throw .authorizationQueryParametersError("X-Amz-Expires should be a number")
        }
        guard expires >= 0 else {
            throw .authorizationQueryParametersError("X-Amz-Expires must be non-negative")
        }
        guard expires <= Self.maximumExpires else {
            throw .authorizationQueryParametersError(
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
            )
        }
        let scope = try parseCredential(credentialValue) { detail, details in
            .authorizationQueryParametersError("Error parsing the X-Amz-Credential parameter; \(detail)", details: details)
        }
        let timestamp = AmazonDate.formatBasic(requestDate)
        guard timestamp.hasPrefix(scope.date) else {
            throw .authorizationQueryParametersError(
                "Invalid credential date \"\(scope.date)\". This date is not the same as X-Amz-Date: \"\(timestamp.prefix(8))\".")
        }
        if let token = query.first("x-amz-security-token") ?? head.firstValue("x-amz-security-token") {
            throw .invalidToken(token)
        }
        guard let credential = credentials.credential(forAccessKeyId: scope.accessKeyId) else {
            throw .invalidAccessKeyId(scope.accessKeyId)
        }
        let signedHeaders = signedHeadersValue.split(separator: ";").map { $0.lowercased() }
        try Self.checkSignedHeaders(signedHeaders, in: head)

        let payloadHash = query.first("x-amz-content-sha256") ?? "UNSIGNED-PAYLOAD"
        let payload = try Self.payloadMode(payloadHash)
        let canonicalRequestHash = CanonicalRequest.sha256Hex(
            head: head, signedHeaders: signedHeaders, payloadHash: payloadHash, excludingSignatureParameter: true
        )
        let stringToSign = SigV4.stringToSign(timestamp: timestamp, scope: scope.scope, canonicalRequestHash: canonicalRequestHash)
        let signingKey = signingKeys.signingKey(
            secret: credential.secretAccessKey, date: scope.date, region: scope.region, service: scope.service)
        let signature = signingKey.hexSignature(of: stringToSign)
        guard AuthBytes.hexSignatureMatches(computed: signature, provided: signatureValue) else {
            throw .signatureDoesNotMatch(
                accessKeyId: scope.accessKeyId, stringToSign: stringToSign, signatureProvided: signatureValue,
                canonicalRequest: CanonicalRequest(
                    head: head, signedHeaders: signedHeaders, payloadHash: payloadHash, excludingSignatureParameter: true
                ).text)
        }

        let age = Self.milliseconds(from: requestDate, to: now)
        if expires == 0 || age > expires * 1000 {
            throw .requestHasExpired(
                xAmzExpires: expiresValue, expires: requestDate.addingTimeInterval(TimeInterval(expires)), serverTime: now)
        }
        if -age > SigV4.maximumSkew * 1000 {
            throw .requestIsNotYetValid(xAmzDate: dateValue, serverTime: now)
        }
        if payload.isStreaming {
            _ = try Self.decodedContentLength(head)
        }
        return AuthResult(
            method: .queryV4, credential: credential, payload: payload, signatureAge: TimeInterval(age),
            seedSignature: signature,
            signingContext: payload.isSignedStreaming
                ? chunkContext(scope: scope, timestamp: timestamp, signingKey: signingKey.bytes) : nil)
    }
}
