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
        let date = clock.now()
        let form = PostPolicyBuilder(signer: signer(credentials)).presignedPost(
            bucket: bucket, key: key, expiresIn: expires, date: date,
            fields: fields.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) },
            conditions: conditions.map(\.builderCondition)
        )
        let text = "http://\(authority)/\(URIEncoding.encode(bucket, encodeSlash: true))"
        guard let url = URL(string: text) else { throw HarnessError.invalidURL(text) }
        return PresignedPost(
            url: url, fields: Dictionary(form.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }), policy: form.policy
        )
    }

    /// `127.0.0.1:<port>`: the Host header clients send, and so the one signatures cover.
    private var authority: String {
        "127.0.0.1:\(port)"
    }

    private func signer(_ credentials: AccessKey?) -> SigV4Signer {
        let key = credentials ?? self.credentials
        return SigV4Signer(accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: region)
    }
}

extension PresignedPost.Condition {
    /// The same condition for the signer's policy builder.
    var builderCondition: PostPolicyBuilder.Condition {
        switch self {
        case .equals(let name, let value): .equals(name, value)
        case .startsWith(let name, let prefix): .startsWith(name, prefix)
        case .contentLengthRange(let minimum, let maximum): .contentLengthRange(Int64(minimum), Int64(maximum))
        }
    }
}
