import Crypto
import Foundation
import S3EmulatorCore

/// Legacy Signature Version 2, for old clients:
///
/// ```
/// Signature = Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))
/// StringToSign = Method\n Content-MD5\n Content-Type\n Date (or Expires)\n CanonicalizedAmzHeaders CanonicalizedResource
/// ```
extension SigV4Authenticator {
    /// The query parameters S3 counts as sub-resources in the `CanonicalizedResource` (as
    /// substrings: a query's names are looked up without a copy).
    static let signatureV2SubResources: Set<Substring> = [
        "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location",
        "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment",
        "response-cache-control", "response-content-disposition", "response-content-encoding",
        "response-content-language", "response-content-type", "response-expires", "restore", "select", "select-type",
        "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    ]

    /// `Authorization: AWS <access key id>:<signature>`.
    func authenticateHeaderV2(_ head: AuthRequestHead, authorization: String, now: Date) throws(S3Error) -> AuthResult {
        guard acceptsSignatureVersion2 else { throw .signatureV2NotSupported }
        let fields = authorization.dropFirst("AWS ".count).trimmingCharacters(in: .whitespaces)
        guard let colon = fields.lastIndex(of: ":"), colon != fields.startIndex,
            fields.index(after: colon) != fields.endIndex
        else {
            throw S3Error(
                .invalidArgument, message: "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
                details: [("ArgumentName", "Authorization"), ("ArgumentValue", authorization)])
        }
        let accessKeyId = String(fields[..<colon])
        let signatureProvided = String(fields[fields.index(after: colon)...])
        if let token = head.firstValue("x-amz-security-token") {
            throw .invalidToken(token)
        }
        guard let credential = credentials.credential(forAccessKeyId: accessKeyId) else {
            throw .invalidAccessKeyId(accessKeyId)
        }
        // With x-amz-date, S3 ignores Date and signs an empty date line.
        let requestTime: (date: Date, raw: String)
        let dateLine: String
        if let amzDate = head.firstValue("x-amz-date") {
            guard let date = HTTPDate.parse(amzDate) ?? AmazonDate.parseBasic(amzDate) else { throw .missingDate }
            requestTime = (date, amzDate)
            dateLine = ""
        } else if let httpDate = head.firstValue("date"), let date = HTTPDate.parse(httpDate) {
            requestTime = (date, httpDate)
            dateLine = httpDate.trimmingCharacters(in: .whitespaces)
        } else {
            throw .missingDate
        }
        try Self.verifySignatureV2(
            head, dateLine: dateLine, query: nil, secret: credential.secretAccessKey, provided: signatureProvided,
            accessKeyId: accessKeyId)
        let age = Self.milliseconds(from: requestTime.date, to: now)
        guard abs(age) <= SigV4.maximumSkew * 1000 else {
            throw .requestTimeTooSkewed(requestTime: requestTime.raw, serverTime: now)
        }
        return AuthResult(method: .headerV2, credential: credential, payload: .none, signatureAge: TimeInterval(age))
    }

    /// `?AWSAccessKeyId=<key>&Expires=<seconds since 1970>&Signature=<base64>`.
    func authenticateQueryV2(_ head: AuthRequestHead, query: QueryParameters, now: Date) throws(S3Error) -> AuthResult {
        guard acceptsSignatureVersion2 else { throw .signatureV2NotSupported }
        guard let accessKeyId = query.firstExactly("AWSAccessKeyId"), let signatureProvided = query.firstExactly("Signature"),
            let expiresValue = query.firstExactly("Expires")
        else {
            throw S3Error(
                .accessDenied,
                message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        if let token = query.first("x-amz-security-token") ?? head.firstValue("x-amz-security-token") {
            throw .invalidToken(token)
        }
        guard let credential = credentials.credential(forAccessKeyId: accessKeyId) else {
            throw .invalidAccessKeyId(accessKeyId)
        }
        try Self.verifySignatureV2(
            head, dateLine: expiresValue, query: query, secret: credential.secretAccessKey, provided: signatureProvided,
            accessKeyId: accessKeyId)
        guard let expires = Int64(expiresValue) else {
            throw S3Error(.accessDenied, message: "Invalid date (should be seconds since epoch): \(expiresValue)")
        }
        let expiry = Date(timeIntervalSince1970: TimeInterval(expires))
        guard now <= expiry else {
            throw .requestHasExpired(xAmzExpires: nil, expires: expiry, serverTime: now)
        }
        return AuthResult(method: .queryV2, credential: credential, payload: .none)
    }

    /// Checks the signature against the string to sign; for a path-style request to a bucket
    /// (`/bucket`, no key) both resource forms signers use, `/bucket/` (botocore, boto) and `/bucket`.
    private static func verifySignatureV2(
        _ head: AuthRequestHead, dateLine: String, query: QueryParameters?, secret: String, provided: String,
        accessKeyId: String
    ) throws(S3Error) {
        let key = SymmetricKey(data: Array(secret.utf8))
        func matches(_ stringToSign: String) -> Bool {
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: key)
            return AuthBytes.constantTimeEquals(Base64.encode(Array(mac)).utf8, provided.utf8)
        }
        let resource = signatureV2Resource(head)
        let stringToSign = signatureV2StringToSign(head, dateLine: dateLine, query: query) + resource.primary
        if matches(stringToSign) { return }
        if let alternative = resource.alternative,
            matches(signatureV2StringToSign(head, dateLine: dateLine, query: query) + alternative)
        {
            return
        }
        throw .signatureDoesNotMatch(
            accessKeyId: accessKeyId, stringToSign: stringToSign, signatureProvided: provided, canonicalRequest: nil)
    }

    /// The Signature Version 2 string to sign, up to the `CanonicalizedResource`. For a
    /// query-signed request (`query` set),
    /// `x-amz-*` query parameters count as headers and `Content-MD5` / `Content-Type` may come
    /// from the query when the request does not send them as headers.
    static func signatureV2StringToSign(_ head: AuthRequestHead, dateLine: String, query: QueryParameters?) -> String {
        func standard(_ name: String) -> String {
            if let value = head.firstValue(name) { return value.trimmingCharacters(in: .whitespaces) }
            if let query, let value = query.first(name) { return value.trimmingCharacters(in: .whitespaces) }
            return ""
        }
        var text = head.method
        text += "\n"
        text += standard("content-md5")
        text += "\n"
        text += standard("content-type")
        text += "\n"
        text += dateLine
        text += "\n"

        var amzHeaders: [String: [String]] = [:]
        for header in head.headers where header.name.hasPrefix("x-amz-") {
            amzHeaders[header.name, default: []].append(header.value.trimmingCharacters(in: .whitespaces))
        }
        if let query {
            for parameter in query.parameters where parameter.lowercasedName.hasPrefix("x-amz-") {
                if head.hasHeader(parameter.lowercasedName) { continue }
                let value = AuthBytes.percentDecoded(parameter.rawValue ?? "", plusIsSpace: true)
                amzHeaders[parameter.lowercasedName, default: []].append(value.trimmingCharacters(in: .whitespaces))
            }
        }
        for name in amzHeaders.keys.sorted() {
            text += name
            text += ":"
            text += amzHeaders[name, default: []].joined(separator: ",")
            text += "\n"
        }
        return text
    }

    /// `CanonicalizedResource`: `/<virtual-hosted bucket>` + the raw path + the sub-resources,
    /// sorted by name, with their values decoded. A path-style request to a bucket (`/bucket`)
    /// has `/bucket/`, as botocore signs it, and `/bucket` as the alternative.
    static func signatureV2Resource(_ head: AuthRequestHead) -> (primary: String, alternative: String?) {
        var path = ""
        var alternativePath: String?
        if let bucket = head.virtualHostedBucket {
            path = "/" + bucket + (head.rawPath.isEmpty ? "/" : head.rawPath)
        } else if head.rawPath.isEmpty || head.rawPath == "/" {
            path = "/"
        } else if !head.rawPath.utf8.dropFirst().contains(UInt8(ascii: "/")) {
            path = head.rawPath + "/"
            alternativePath = head.rawPath
        } else {
            path = head.rawPath
        }
        let subResources = signatureV2SubResources(head.rawQuery)
        return (path + subResources, alternativePath.map { $0 + subResources })
    }

    /// `?name=value&…` of the sub-resources in `rawQuery`, sorted by name; "" when there are none.
    static func signatureV2SubResources(_ rawQuery: String?) -> String {
        guard let rawQuery, !rawQuery.isEmpty else { return "" }
        var subResources: [(name: Substring, text: String)] = []
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: "=")
            let name = part[..<(equals ?? part.endIndex)]
            guard signatureV2SubResources.contains(name) else { continue }
            if let equals {
                let value = AuthBytes.percentDecoded(part[part.index(after: equals)...], plusIsSpace: false)
                subResources.append((name, "\(name)=\(value)"))
            } else {
                subResources.append((name, String(name)))
            }
        }
        guard !subResources.isEmpty else { return "" }
        // A stable sort by name, as the reference signers do.
        let sorted = subResources.enumerated().sorted { lhs, rhs in
            lhs.element.name != rhs.element.name ? lhs.element.name < rhs.element.name : lhs.offset < rhs.offset
        }
        return "?" + sorted.map(\.element.text).joined(separator: "&")
    }
}
