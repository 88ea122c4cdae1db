import Foundation
import S3EmulatorCore

extension SigV4Authenticator {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/s3/aws4_request, SignedHeaders=<names>, Signature=<hex>`.
    func authenticateHeaderV4(_ head: AuthRequestHead, authorization: String, now: Date) throws(S3Error) -> AuthResult {
        let components = try Self.authorizationComponents(authorization)
        let scope = try parseCredential(components.credential) { detail, details in
            .authorizationHeaderMalformed(detail, details: details)
        }
        if let token = head.firstValue("x-amz-security-token") {
            throw .invalidToken(token)
        }
        guard let contentSHA256 = head.firstValue("x-amz-content-sha256") else { throw .missingContentSHA256 }
        let payload = try Self.payloadMode(contentSHA256)

        let requestTime = try Self.requestTime(head)
        guard requestTime.timestamp.hasPrefix(scope.date) else {
            throw .authorizationHeaderMalformed("Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard let credential = credentials.credential(forAccessKeyId: scope.accessKeyId) else {
            throw .invalidAccessKeyId(scope.accessKeyId)
        }
        let signedHeaders = components.signedHeaders.split(separator: ";").map { $0.lowercased() }
        try Self.checkSignedHeaders(signedHeaders, in: head)

        let canonicalRequestHash = CanonicalRequest.sha256Hex(
            head: head, signedHeaders: signedHeaders, payloadHash: contentSHA256, excludingSignatureParameter: false
        )
        let stringToSign = SigV4.stringToSign(
            timestamp: requestTime.timestamp, scope: scope.scope, canonicalRequestHash: canonicalRequestHash)
        let signingKey = signingKeys.signingKey(
            secret: credential.secretAccessKey, date: scope.date, region: scope.region, service: scope.service)
        let signature = signingKey.hexSignature(of: stringToSign)
        guard AuthBytes.hexSignatureMatches(computed: signature, provided: components.signature) else {
            throw .signatureDoesNotMatch(
                accessKeyId: scope.accessKeyId, stringToSign: stringToSign, signatureProvided: components.signature,
                canonicalRequest: CanonicalRequest(
                    head: head, signedHeaders: signedHeaders, payloadHash: contentSHA256, excludingSignatureParameter: false
                ).text)
        }

        let age = Self.milliseconds(from: requestTime.date, to: now)
        guard abs(age) <= SigV4.maximumSkew * 1000 else {
            throw .requestTimeTooSkewed(requestTime: requestTime.raw, serverTime: now)
        }
        if payload.isStreaming {
            _ = try Self.decodedContentLength(head)
        }
        return AuthResult(
            method: .headerV4, credential: credential, payload: payload, signatureAge: TimeInterval(age),
            seedSignature: signature,
            signingContext: payload.isSignedStreaming
                ? chunkContext(scope: scope, timestamp: requestTime.timestamp, signingKey: signingKey.bytes) : nil)
    }

    /// The three components of a Signature Version 4 `Authorization` header.
    static func authorizationComponents(
        _ authorization: String
    ) throws(S3Error) -> (credential: String, signedHeaders: String, signature: String) {
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        var fields = authorization.dropFirst(SigV4.algorithm.count)
        while !fields.isEmpty {
            // Split at commas by their byte: the pieces' ends are ASCII, so character boundaries.
            let comma = fields.utf8.firstIndex(of: UInt8(ascii: ",")) ?? fields.endIndex
            let component = fields[..<comma].trimmingHTTPWhitespace()
            fields = comma == fields.endIndex ? fields[comma...] : fields[fields.utf8.index(after: comma)...]
            if component.isEmpty { continue }
            guard let equals = component.utf8.firstIndex(of: UInt8(ascii: "=")) else {
                throw .authorizationHeaderMalformed("the authorization component \"\(component)\" is malformed.")
            }
            let value = component[component.utf8.index(after: equals)...]
            switch component[..<equals] {
            case "Credential": credential = value
            case "SignedHeaders": signedHeaders = value
            case "Signature": signature = value
            default: continue
            }
        }
        guard let credential, let signedHeaders, let signature else { throw .missingComponents }
        return (String(credential), String(signedHeaders), String(signature))
    }

    /// The time of a header-signed request: `x-amz-date`, else `Date`.
    static func requestTime(_ head: AuthRequestHead) throws(S3Error) -> (date: Date, timestamp: String, raw: String) {
        if let amzDate = head.firstValue("x-amz-date") {
            guard let date = AmazonDate.parseBasic(amzDate) else { throw .missingDate }
            return (date, AmazonDate.formatBasic(date), amzDate)
        }
        if let httpDate = head.firstValue("date"), let date = HTTPDate.parse(httpDate) {
            return (date, AmazonDate.formatBasic(date), httpDate)
        }
        throw .missingDate
    }
}
