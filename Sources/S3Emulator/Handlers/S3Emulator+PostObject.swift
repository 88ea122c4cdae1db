import Foundation
import NIOCore
import S3EmulatorAccess
import S3EmulatorAuth
import S3EmulatorCore
import S3EmulatorStorage

/// POST Object: a browser form upload (`POST /bucket`, `multipart/form-data`).
///
/// The form is read as it arrives: the fields before the `file` part (at most 20 KB), then the
/// file, streamed to a blob, then whatever follows it, ignored. Before the first file byte is
/// stored, `${filename}` is expanded in every field, the policy's signature is verified, the
/// policy is checked (expiration, conditions, extra fields), and the signer is authorized for
/// `s3:PutObject` on the key (and `s3:PutObjectAcl` with an `acl` field, `s3:PutObjectTagging`
/// with a `tagging` field). After the file, its
/// size is checked against `content-length-range` and its digests against the form's
/// `Content-MD5` / `x-amz-checksum-*`; only then are the blob and the object row committed.
extension S3Emulator {
    /// Fields of the form that become the object's headers, as PutObject reads them.
    static let postObjectHeaderFields: Set<String> = [
        "cache-control", "content-type", "content-disposition", "content-encoding", "content-language", "expires",
        "content-md5", "x-amz-storage-class", "x-amz-server-side-encryption", "x-amz-checksum-algorithm",
        "x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1",
        "x-amz-checksum-sha256",
    ]

    /// A failed upload's remaining body is read (so the client sees the answer) up to this much.
    static let postObjectDrainLimit: Int64 = 64 * 1024 * 1024

    func postObject(_ context: RequestContext) async throws -> S3Response {
        let bucket = context.bucket
        _ = try existingBucket(bucket)
        let headers = context.headers
        guard let contentType = headers["content-type"], let boundary = try MultipartFormData.boundary(contentType: contentType) else {
            throw S3Error(.preconditionFailed, details: [("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")])
        }
        guard let lengthText = headers["content-length"] else { throw S3Error(.missingContentLength) }
        guard let length = Int64(lengthText), length >= 0 else {
            throw S3Error(.invalidArgument, details: [("ArgumentName", "Content-Length"), ("ArgumentValue", lengthText)])
        }
        var reader = MultipartFormDataReader(boundary: boundary, body: context.request.body, declaredLength: length)
        do {
            return try await receivePostObject(context, reader: &reader)
        } catch {
            if length - reader.received <= Self.postObjectDrainLimit {
                try? await reader.drain()
            }
            throw error
        }
    }

    private func receivePostObject(_ context: RequestContext, reader: inout MultipartFormDataReader) async throws -> S3Response {
        let bucket = context.bucket
        let (fields, filePart) = try await reader.readFields()
        var form = PostPolicyForm(fields: fields)
        _ = try form.required("key")
        guard let filePart else {
            throw S3Error(
                .invalidArgument, message: "POST requires exactly one file upload per request.",
                details: [("ArgumentName", "file"), ("ArgumentValue", "0")])
        }
        if let filename = filePart.filename {
            let base = Self.lastPathComponent(filename)
            form.mapValues { $0.replacingOccurrences(of: "${filename}", with: base) }
        }
        let key = try form.required("key")

        // Who signed the form, and what the policy allows.
        let post = try authenticator.authenticatePost(form)
        if let policy = post.policy {
            try policy.check(form, bucket: bucket, now: configuration.clock.now())
        }
        try ObjectKey.validate(key)

        // The fields that act as PutObject's headers.
        var objectHeaders = S3Headers()
        for field in form.fields {
            let name = field.name.lowercased()
            if Self.postObjectHeaderFields.contains(name) || name.hasPrefix("x-amz-meta-") {
                objectHeaders.append(name, field.value)
            }
        }
        if let acl = form["acl"] { objectHeaders.append("x-amz-acl", acl) }

        let subject = postSubject(context, post: post, headers: objectHeaders)
        let resource = S3ARN.object(bucket, key)
        let decision = try authorize(
            subject, action: "s3:PutObject", resource: resource, bucket: bucket,
            acl: postACLGrant(bucket: bucket, principal: subject.identity.principal))
        var metadata = try ObjectMetadata(requestHeaders: objectHeaders)
        metadata.acl = try requestedACL(objectHeaders, bucket: bucket)?.stored
        if form["acl"] != nil {
            try authorize(subject, action: "s3:PutObjectAcl", resource: resource, bucket: bucket)
        }
        if let tagging = form["tagging"] {
            metadata.tags = try Self.postObjectTags(tagging)
            try authorize(subject, action: "s3:PutObjectTagging", resource: resource, bucket: bucket)
        }
        let digests = BodyDigests(try BodyIntegrity(headers: objectHeaders))

        // The file.
        let policyMaximum = post.policy?.maximumContentLength
        let limit = min(policyMaximum ?? Self.maxPutObjectSize, Self.maxPutObjectSize)
        var upload = BlobUpload(store: store, digests: digests)
        var overLimit = false
        var stored: Int64 = 0
        let size: Int64
        do {
            size = try await reader.streamFile { piece in
                guard !overLimit else { return }
                guard stored + Int64(piece.readableBytes) <= limit else {
                    overLimit = true
                    return
                }
                stored += Int64(piece.readableBytes)
                try await upload.append(piece)
            }
            try await reader.drain()
            if overLimit, size > Self.maxPutObjectSize, policyMaximum.map({ size <= $0 }) ?? true {
                throw S3Error(.entityTooLarge, details: [
                    ("ProposedSize", String(size)), ("MaxSizeAllowed", String(Self.maxPutObjectSize)),
                ])
            }
            try post.policy?.checkContentLength(size)
        } catch {
            await upload.abort()
            throw error
        }
        let verified: (md5: [UInt8], checksum: (ChecksumAlgorithm, String)?)
        do {
            try await upload.finishHashing()
            verified = try digests.integrity.verify()
        } catch {
            await upload.abort()
            throw error
        }
        if let (algorithm, value) = verified.checksum {
            metadata.checksums = [algorithm.rawValue: value]
            metadata.checksumType = "FULL_OBJECT"
        }
        let etag = ETag(md5: verified.md5)
        let record = ObjectRecord(
            bucket: bucket, key: key, size: size, etag: etag.value, lastModified: configuration.clock.now(), blobID: "",
            metadata: metadata
        )
        let versionID = try await upload.finish(record, precondition: .none)
        var response = postObjectResponse(context, form: form, key: key, etag: etag, checksum: verified.checksum, authorization: decision.shortTrace)
        if let versionID { response.headers.append("x-amz-version-id", versionID) }
        return response
    }

    /// The answer S3 gives a stored upload: a 303 to `success_action_redirect` (or `redirect`)
    /// with `bucket`, `key` and `etag` added to its query; else `success_action_status` 200
    /// (empty), 201 (a `PostResponse` document) or 204 (empty; the default and the answer to
    /// any other value).
    private func postObjectResponse(
        _ context: RequestContext, form: PostPolicyForm, key: String, etag: ETag, checksum: (ChecksumAlgorithm, String)?,
        authorization: String
    ) -> S3Response {
        let bucket = context.bucket
        var headers = S3Headers()
        headers.append("x-s3emu-authz", authorization)
        headers.append("etag", etag.quoted)
        headers.append("x-amz-server-side-encryption", "AES256")
        if let (algorithm, value) = checksum {
            headers.append(algorithm.headerName, value)
            headers.append("x-amz-checksum-type", "FULL_OBJECT")
        }
        if let redirect = form["success_action_redirect"] ?? form["redirect"], Self.isAbsoluteHTTPURL(redirect) {
            let query = "bucket=\(Self.formEncode(bucket))&key=\(Self.formEncode(key))&etag=\(Self.formEncode(etag.quoted))"
            headers.append("location", redirect + (redirect.contains("?") ? "&" : "?") + query)
            return S3Response(status: 303, headers: headers)
        }
        let location = objectLocation(context, key: key)
        headers.append("location", location)
        switch form["success_action_status"] {
        case "200":
            return S3Response(status: 200, headers: headers)
        case "201":
            var xml = XMLWriter()
            xml.declaration()
            xml.open("PostResponse")
            xml.element("Location", location)
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("ETag", etag.quoted)
            xml.close("PostResponse")
            return .xml(xml.text, status: 201, headers: headers)
        default:
            return S3Response(status: 204, headers: headers)
        }
    }

    /// The principal of the form's signature and the request's condition keys, with
    /// `s3:authType` `POST` as S3 sets it for browser uploads.
    private func postSubject(_ context: RequestContext, post: PostPolicyAuthentication, headers: S3Headers) -> AuthorizationSubject {
        let authentication = AuthResult(
            method: post.credential == nil ? .anonymous : .headerV4, credential: post.credential, payload: .none,
            signatureAge: post.signatureAge)
        return AuthorizationSubject(identity: identities.identity(for: post.credential?.principal)) { [self] in
            var keys = conditionKeys(request: context.request, authentication: authentication, operation: .postObject, query: context.query)
            keys["s3:x-amz-content-sha256"] = nil
            if post.credential != nil { keys["s3:authType"] = ["POST"] }
            keys["s3:signatureversion"] = post.signatureVersion.map { [$0] }
            for name in ["x-amz-acl", "x-amz-server-side-encryption"] {
                keys["s3:" + name] = headers[name].map { [$0] }
            }
            return keys
        }
    }

    /// What the bucket's ACL grants a write, when the bucket's Object Ownership lets ACLs count.
    private func postACLGrant(bucket: String, principal: Principal) -> ACLGrant {
        let settings = bucketSettings(bucket)
        guard settings.aclsEnabled else { return .none }
        return settings.acl.grant(.write, authenticated: principal != .anonymous)
    }

    /// The object's URL, its key percent-encoded (`/` included), as S3 writes `Location`.
    private func objectLocation(_ context: RequestContext, key: String) -> String {
        let scheme = context.request.isSecure ? "https" : "http"
        let host = context.request.host ?? "localhost"
        let encodedKey = URIEncoding.encode(key, encodeSlash: true)
        if context.address.isVirtualHosted {
            return "\(scheme)://\(host)/\(encodedKey)"
        }
        return "\(scheme)://\(host)/\(URIEncoding.encode(context.bucket, encodeSlash: true))/\(encodedKey)"
    }

    /// The `tagging` field: a `Tagging` document (MalformedXML when it is not XML; a document with
    /// another root sets no tags, as S3 answers it).
    static func postObjectTags(_ tagging: String) throws(S3Error) -> [String: String] {
        let root = try S3EmulatorCore.XMLParser.parse(Array(tagging.utf8), limits: .init(maxBytes: 64 * 1024))
        guard root.name == "Tagging" else { return [:] }
        return try ObjectTagSet.parse(xml: root)
    }

    /// The text after the last `/` or `\` of a file name a browser sent.
    static func lastPathComponent(_ filename: String) -> String {
        guard let separator = filename.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return filename }
        return String(filename[filename.index(after: separator)...])
    }

    /// `http://…` or `https://…` with a host: a redirect S3 can interpret.
    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return false
        }
        return url.host?.isEmpty == false
    }

    /// A query value as a form encodes it: unreserved characters kept, a space as `+`, the rest
    /// percent-encoded (`/` included).
    static func formEncode(_ value: String) -> String {
        URIEncoding.encode(value, encodeSlash: true).replacingOccurrences(of: "%20", with: "+")
    }
}
