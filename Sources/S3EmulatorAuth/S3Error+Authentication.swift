import Foundation
import S3EmulatorCore

/// The errors of authentication, with the codes, messages and details AWS S3 answers with.
extension S3Error {
    static func authorizationHeaderMalformed(_ detail: String, details: [(name: String, value: String)] = []) -> S3Error {
        S3Error(.authorizationHeaderMalformed, message: "The authorization header is malformed; \(detail)", details: details)
    }

    static func authorizationQueryParametersError(
        _ message: String, details: [(name: String, value: String)] = []
    ) -> S3Error {
        S3Error(.authorizationQueryParametersError, message: message, details: details)
    }

    static let missingComponents = authorizationHeaderMalformed(
        "the authorization header requires three components: Credential, SignedHeaders, and Signature.")

    static let malformedCredential = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."

    static func incorrectDateFormat(_ date: String) -> String {
        "incorrect date format \"\(date)\". This date in the credential must be in the format \"yyyyMMdd\"."
    }

    static func wrongRegion(_ region: String, expecting expected: String) -> String {
        "the region '\(region)' is wrong; expecting '\(expected)'"
    }

    static func incorrectService(_ service: String) -> String {
        "incorrect service \"\(service)\". This endpoint belongs to \"s3\"."
    }

    static func incorrectTerminal(_ terminal: String) -> String {
        "incorrect terminal \"\(terminal)\". This endpoint uses \"aws4_request\"."
    }

    static let missingDate = S3Error(.accessDenied, message: "AWS authentication requires a valid Date or x-amz-date header")

    static func invalidAccessKeyId(_ accessKeyId: String) -> S3Error {
        S3Error(.invalidAccessKeyId, details: [("AWSAccessKeyId", accessKeyId)])
    }

    static func invalidToken(_ token: String) -> S3Error {
        S3Error(.invalidToken, details: [("Token-0", token)])
    }

    static func headersNotSigned(_ names: [String]) -> S3Error {
        S3Error(
            .accessDenied, message: "There were headers present in the request which were not signed",
            details: [("HeadersNotSigned", names.joined(separator: ", "))])
    }

    static func onlyOneAuthMechanism(argumentName: String, argumentValue: String) -> S3Error {
        S3Error(
            .invalidArgument,
            message:
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            details: [("ArgumentName", argumentName), ("ArgumentValue", argumentValue)])
    }

    static func unsupportedAuthorizationType(_ value: String) -> S3Error {
        S3Error(
            .invalidArgument, message: "Unsupported Authorization Type",
            details: [("ArgumentName", "Authorization"), ("ArgumentValue", value)])
    }

    static let missingContentSHA256 = S3Error(
        .invalidRequest, message: "Missing required header for this request: x-amz-content-sha256")

    static func invalidContentSHA256(_ value: String) -> S3Error {
        S3Error(
            .invalidArgument,
            message:
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
            details: [("ArgumentName", "x-amz-content-sha256"), ("ArgumentValue", value)])
    }

    static let signatureV4aNotImplemented = S3Error(
        .notImplemented,
        message: "Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported by s3emu; sign with AWS4-HMAC-SHA256.")

    static let signatureV2NotSupported = S3Error(
        .invalidRequest,
        message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")

    /// SignatureDoesNotMatch with the strings the server signed, as S3 lists them.
    static func signatureDoesNotMatch(
        accessKeyId: String, stringToSign: String, signatureProvided: String, canonicalRequest: String?
    ) -> S3Error {
        var details: [(name: String, value: String)] = [
            ("AWSAccessKeyId", accessKeyId),
            ("StringToSign", stringToSign),
            ("SignatureProvided", signatureProvided),
            ("StringToSignBytes", AuthBytes.spacedHex(stringToSign)),
        ]
        if let canonicalRequest {
            details.append(("CanonicalRequest", canonicalRequest))
            details.append(("CanonicalRequestBytes", AuthBytes.spacedHex(canonicalRequest)))
        }
        return S3Error(.signatureDoesNotMatch, details: details)
    }

    static func requestTimeTooSkewed(requestTime: String, serverTime: Date) -> S3Error {
        S3Error(
            .requestTimeTooSkewed,
            details: [
                ("RequestTime", requestTime),
                ("ServerTime", SigV4.errorTime(serverTime)),
                ("MaxAllowedSkewMilliseconds", String(SigV4.maximumSkew * 1000)),
            ])
    }

    static func requestHasExpired(xAmzExpires: String?, expires: Date, serverTime: Date) -> S3Error {
        var details: [(name: String, value: String)] = []
        if let xAmzExpires {
            details.append(("X-Amz-Expires", xAmzExpires))
        }
        details.append(("Expires", SigV4.errorTime(expires)))
        details.append(("ServerTime", SigV4.errorTime(serverTime)))
        return S3Error(.accessDenied, message: "Request has expired", details: details)
    }

    static func requestIsNotYetValid(xAmzDate: String, serverTime: Date) -> S3Error {
        S3Error(
            .accessDenied, message: "Request is not yet valid",
            details: [("X-Amz-Date", xAmzDate), ("ServerTime", SigV4.errorTime(serverTime))])
    }

    static let missingDecodedContentLength = S3Error(.missingContentLength)

    // MARK: - aws-chunked bodies

    static let bodyTerminatedUnexpectedly = S3Error(.incompleteBody, message: "The request body terminated unexpectedly")

    static func invalidChunkSize(chunk: Int, size: Int64) -> S3Error {
        S3Error(.invalidChunkSizeError, details: [("Chunk", String(chunk)), ("BadChunkSize", String(size))])
    }

    static let malformedTrailer = S3Error(.malformedTrailerError)
}
