import Crypto
import Foundation
import S3EmulatorCore

/// POST Object forms: the signature over the base64 `policy` field.
///
/// Signature Version 4: `x-amz-signature = hex(HMAC-SHA256(signing key of x-amz-credential's
/// scope, policy))`. Signature Version 2: `signature = base64(HMAC-SHA1(secret, policy))`. The
/// policy is signed as sent, before it is decoded.
extension SigV4Authenticator {
    /// Verifies a POST form's signature and parses its policy.
    ///
    /// A form with any of `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`,
    /// `x-amz-signature` is Signature Version 4 and needs all of them and `policy`; one with
    /// `AWSAccessKeyId` or `signature` is Signature Version 2 and needs both and `policy`; any
    /// other form is anonymous. Field names are case-insensitive.
    ///
    /// ```swift
    /// let result = try authenticator.authenticatePost(form)
    /// try result.policy?.check(form, bucket: bucket, now: now)
    /// ```
    /// - Throws: ``S3Error`` InvalidArgument naming a missing field, InvalidToken for
    ///   `x-amz-security-token` (s3emu issues no session credentials), InvalidAccessKeyId,
    ///   SignatureDoesNotMatch (with the policy as `StringToSign`), InvalidPolicyDocument.
    public func authenticatePost(_ form: PostPolicyForm) throws(S3Error) -> PostPolicyAuthentication {
        let now = clock.now()
        let isV4 = ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"].contains { form.contains($0) }
        let isV2 = form.contains("awsaccesskeyid") || form.contains("signature")
        if isV4 {
            return try authenticatePostV4(form, now: now)
        }
        if isV2 {
            return try authenticatePostV2(form)
        }
        if let token = form["x-amz-security-token"] {
            throw .invalidToken(token)
        }
        let policy = try form["policy"].map { policy throws(S3Error) in try PostPolicy(base64: policy) }
        return PostPolicyAuthentication(credential: nil, policy: policy, signatureVersion: nil, signatureAge: nil)
    }

    private func authenticatePostV4(_ form: PostPolicyForm, now: Date) throws(S3Error) -> PostPolicyAuthentication {
        let algorithm = try Self.requiredField(form, "X-Amz-Algorithm")
        let credentialValue = try Self.requiredField(form, "X-Amz-Credential")
        let dateValue = try Self.requiredField(form, "X-Amz-Date")
        let signature = try Self.requiredField(form, "X-Amz-Signature")
        let policyText = try Self.requiredField(form, "Policy")
        guard algorithm == SigV4.algorithm else {
            throw Self.invalidField(
                "X-Amz-Algorithm", algorithm, message: "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")
        }
        if credentialValue.hasPrefix("/") {
            throw Self.invalidField(
                "X-Amz-Credential", credentialValue, message: "a non-empty Access Key (AKID) must be provided in the credential.")
        }
        let scope = try parseCredential(credentialValue) { detail, details in
            var error = Self.invalidField("X-Amz-Credential", credentialValue, message: detail)
            error.details += details
            return error
        }
        guard let requestDate = AmazonDate.parseBasic(dateValue) else {
            throw Self.invalidField("X-Amz-Date", dateValue, message: "X-Amz-Date must be formated via ISO8601 Long format")
        }
        if let token = form["x-amz-security-token"] {
            throw .invalidToken(token)
        }
        guard let credential = credentials.credential(forAccessKeyId: scope.accessKeyId) else {
            throw .invalidAccessKeyId(scope.accessKeyId)
        }
        let signingKey = signingKeys.signingKey(
            secret: credential.secretAccessKey, date: scope.date, region: scope.region, service: scope.service)
        let computed = signingKey.hexSignature(of: policyText)
        guard AuthBytes.hexSignatureMatches(computed: computed, provided: signature) else {
            throw .signatureDoesNotMatch(
                accessKeyId: scope.accessKeyId, stringToSign: policyText, signatureProvided: signature, canonicalRequest: nil)
        }
        let policy = try PostPolicy(base64: policyText)
        return PostPolicyAuthentication(
            credential: credential, policy: policy, signatureVersion: SigV4.algorithm,
            signatureAge: TimeInterval(Self.milliseconds(from: requestDate, to: now)))
    }

    private func authenticatePostV2(_ form: PostPolicyForm) throws(S3Error) -> PostPolicyAuthentication {
        guard acceptsSignatureVersion2 else { throw .signatureV2NotSupported }
        let accessKeyId = try Self.requiredField(form, "AWSAccessKeyId")
        let signature = try Self.requiredField(form, "Signature")
        let policyText = try Self.requiredField(form, "Policy")
        if let token = form["x-amz-security-token"] {
            throw .invalidToken(token)
        }
        guard let credential = credentials.credential(forAccessKeyId: accessKeyId) else {
            throw .invalidAccessKeyId(accessKeyId)
        }
        let key = SymmetricKey(data: Array(credential.secretAccessKey.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(policyText.utf8), using: key)
        guard AuthBytes.constantTimeEquals(Base64.encode(Array(mac)).utf8, signature.utf8) else {
            throw .signatureDoesNotMatch(
                accessKeyId: accessKeyId, stringToSign: policyText, signatureProvided: signature, canonicalRequest: nil)
        }
        let policy = try PostPolicy(base64: policyText)
        return PostPolicyAuthentication(credential: credential, policy: policy, signatureVersion: "AWS", signatureAge: nil)
    }

    static func requiredField(_ form: PostPolicyForm, _ name: String) throws(S3Error) -> String {
        try form.required(name)
    }

    private static func invalidField(_ name: String, _ value: String, message: String) -> S3Error {
        S3Error(.invalidArgument, message: message, details: [("ArgumentName", name), ("ArgumentValue", value)])
    }
}
