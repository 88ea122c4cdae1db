public import Foundation
import S3EmulatorAuth
import S3EmulatorCore

/// Presigned URLs and POST forms, signed at ``clock``'s time as an SDK would sign them.
extension EmulatorHarness {
    /// A presigned path-style URL for `method` on `bucket` (and `key`), valid for `expires`
    /// seconds from ``clock``'s now, signed with `credentials` (the root user's by default).
    ///
    /// ```swift
    /// let url = try s3.presignedURL(bucket: "photos", key: "cat.jpg", expires: 60)
    /// let (data, _) = try await URLSession.shared.data(from: url)
    ///
    /// let upload = try s3.presignedURL(method: "PUT", bucket: "photos", key: "new.jpg",
    ///                                  headers: ["x-amz-meta-camera": "x100"],
    ///                                  credentials: try s3.credentials(forUser: "steve"))
    /// // PUT it with the header `x-amz-meta-camera: x100`.
    /// ```
    /// - Parameters:
    ///   - key: the object key; nil for a bucket-level request (`HEAD` the bucket, list it).
    ///   - query: extra query parameters to sign, for example `["response-content-type": "text/plain"]`.
    ///   - headers: headers the request will carry that the signature must cover; S3 refuses
    ///     `x-amz-*` headers a presigned URL does not sign (`x-amz-meta-*`, `x-amz-acl`, …).
    /// - Throws: ``HarnessError/invalidURL(_:)`` when the parts do not form a URL.
    public func presignedURL(
        method: String = "GET", bucket: String, key: String?, expires: Int = 3600, query: [String: String] = [:],
        headers: [String: String] = [:], credentials: AccessKey? = nil
    ) throws(HarnessError) -> URL {
        let signer = signer(credentials)
        var rawPath = "/" + URIEncoding.encode(bucket, encodeSlash: true)
        if let key {
            rawPath += "/" + URIEncoding.encode(key, encodeSlash: false)
        }
        let rawQuery = query.sorted { $0.key < $1.key }
            .map { "\(URIEncoding.encode($0.key, encodeSlash: true))=\(URIEncoding.encode($0.value, encodeSlash: true))" }
            .joined(separator: "&")
        var signedHeaders = [(name: "host", value: authority)]
        for (name, value) in headers {
            signedHeaders.append((name: name.lowercased(), value: value))
        }
        signedHeaders.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let head = AuthRequestHead(
            method: method, rawPath: rawPath, rawQuery: rawQuery.isEmpty ? nil : rawQuery, headers: signedHeaders
        )
        let presigned = signer.presign(head, expires: expires, date: clock.now(), signedHeaders: signedHeaders.map(\.name))
        let text = "http://\(authority)\(rawPath)?\(presigned.rawQuery ?? "")"
        guard let url = URL(string: text) else { throw HarnessError.invalidURL(text) }
        return url
    }

    /// A signed POST Object form for `bucket`: the policy allows `key` (a key ending in
    /// `${filename}` allows any key starting with what precedes it), the extra `fields` with
    /// exactly their values, and `conditions`, until `expires` seconds from ``clock``'s now.
    ///
    /// ```swift
    /// let post = try s3.presignedPost(
    ///     bucket: "steves-public-bucket", key: "uploads/${filename}",
    ///     fields: ["Content-Type": "image/png"],
    ///     conditions: [.contentLengthRange(1, 10 << 20)],
    ///     credentials: try s3.credentials(forUser: "steve")
    /// )
    /// ```
    /// - Throws: ``HarnessError/invalidURL(_:)`` when the bucket name does not form a URL.
    public func presignedPost(
        bucket: String, key: String, expires: Int = 3600, fields: [String: String] = [:],
        conditions: [PresignedPost.Condition] = [], credentials: AccessKey? = nil
    ) throws(HarnessError) -> PresignedPost {
        let signer = signer(credentials)
        let date = clock.now()
        let credential = "\(signer.accessKeyId)/\(signer.credentialScope(date: date))"
        let amazonDate = AmazonDate.formatBasic(date)

        var policyConditions: [PresignedPost.Condition] = [.equals("bucket", bucket)]
        if key.hasSuffix("${filename}") {
            policyConditions.append(.startsWith("$key", String(key.dropLast("${filename}".count))))
        } else {
            policyConditions.append(.equals("key", key))
        }
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            policyConditions.append(.equals(name, value))
        }
        policyConditions += conditions
        policyConditions += [
            .equals("x-amz-algorithm", Self.signingAlgorithm), .equals("x-amz-credential", credential), .equals("x-amz-date", amazonDate),
        ]
        let expiration = AmazonDate.formatISO8601(date.addingTimeInterval(TimeInterval(expires)))
        let policy = Self.policyDocument(expiration: expiration, conditions: policyConditions)
        let encodedPolicy = Base64.encode(Array(policy.utf8))

        var formFields = fields
        formFields["key"] = key
        formFields["policy"] = encodedPolicy
        formFields["x-amz-algorithm"] = Self.signingAlgorithm
        formFields["x-amz-credential"] = credential
        formFields["x-amz-date"] = amazonDate
        formFields["x-amz-signature"] = signer.signature(stringToSign: encodedPolicy, date: date)

        let text = "http://\(authority)/\(URIEncoding.encode(bucket, encodeSlash: true))"
        guard let url = URL(string: text) else { throw HarnessError.invalidURL(text) }
        return PresignedPost(url: url, fields: formFields)
    }

    static let signingAlgorithm = "AWS4-HMAC-SHA256"

    /// `127.0.0.1:<port>`: the Host header clients send, and so the one signatures cover.
    private var authority: String {
        "127.0.0.1:\(port)"
    }

    private func signer(_ credentials: AccessKey?) -> SigV4Signer {
        let key = credentials ?? self.credentials
        return SigV4Signer(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: region)
    }

    /// The POST policy as JSON text.
    static func policyDocument(expiration: String, conditions: [PresignedPost.Condition]) -> String {
        var json = "{\"expiration\":\(jsonString(expiration)),\"conditions\":["
        for (index, condition) in conditions.enumerated() {
            if index > 0 { json += "," }
            switch condition {
            case .equals(let name, let value):
                json += "{\(jsonString(name)):\(jsonString(value))}"
            case .startsWith(let name, let prefix):
                let field = name.hasPrefix("$") ? name : "$" + name
                json += "[\"starts-with\",\(jsonString(field)),\(jsonString(prefix))]"
            case .contentLengthRange(let minimum, let maximum):
                json += "[\"content-length-range\",\(minimum),\(maximum)]"
            }
        }
        return json + "]}"
    }

    private static func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20:
                escaped += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
