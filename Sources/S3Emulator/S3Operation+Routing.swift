import S3EmulatorCore

extension S3Operation {
    /// Picks the operation from the method, the address and the query, as S3 does.
    static func route(method: String, address: RequestAddress, query: QueryParameters, headers: S3Headers) throws(S3Error) -> S3Operation {
        let named = Set(query.names(where: S3SubResource.contains))
        guard address.bucket != nil else {
            guard method == "GET" else {
                throw methodNotAllowed(method, resourceType: "SERVICE", allow: "GET")
            }
            return .listBuckets
        }
        if method == "OPTIONS" { return .corsPreflight }
        if address.key == nil {
            return try routeBucket(method: method, query: query, subResources: named)
        }
        return try routeObject(method: method, query: query, headers: headers, subResources: named)
    }

    private static func routeBucket(method: String, query: QueryParameters, subResources: Set<String>) throws(S3Error) -> S3Operation {
        switch method {
        case "GET":
            if subResources.isEmpty {
                return query["list-type"] == "2" ? .listObjectsV2 : .listObjects
            }
            switch subResources {
            case ["location"]: return .getBucketLocation
            case ["policy"]: return .getBucketPolicy
            case ["policyStatus"]: return .getBucketPolicyStatus
            case ["publicAccessBlock"]: return .getPublicAccessBlock
            case ["ownershipControls"]: return .getBucketOwnershipControls
            case ["acl"]: return .getBucketAcl
            case ["uploads"]: return .listMultipartUploads
            case ["cors"]: return .getBucketCors
            case ["versions"]: return .listObjectVersions
            case ["versioning"]: return .getBucketVersioning
            case ["tagging"]: return .getBucketTagging
            default: return .notImplemented
            }
        case "HEAD":
            return .headBucket
        case "PUT":
            switch subResources {
            case []: return .createBucket
            case ["policy"]: return .putBucketPolicy
            case ["publicAccessBlock"]: return .putPublicAccessBlock
            case ["ownershipControls"]: return .putBucketOwnershipControls
            case ["acl"]: return .putBucketAcl
            case ["cors"]: return .putBucketCors
            case ["versioning"]: return .putBucketVersioning
            case ["tagging"]: return .putBucketTagging
            default: return .notImplemented
            }
        case "DELETE":
            switch subResources {
            case []: return .deleteBucket
            case ["policy"]: return .deleteBucketPolicy
            case ["publicAccessBlock"]: return .deletePublicAccessBlock
            case ["ownershipControls"]: return .deleteBucketOwnershipControls
            case ["cors"]: return .deleteBucketCors
            case ["tagging"]: return .deleteBucketTagging
            default: return .notImplemented
            }
        case "POST":
            if subResources == ["delete"] { return .deleteObjects }
            // POST Object: a browser form upload to the bucket's URL.
            return subResources.isEmpty ? .postObject : .notImplemented
        default:
            throw methodNotAllowed(method, resourceType: "BUCKET")
        }
    }

    private static func routeObject(method: String, query: QueryParameters, headers: S3Headers, subResources: Set<String>) throws(S3Error) -> S3Operation {
        // versionId is a parameter of the operations on one version (GetObject, DeleteObject,
        // tagging, ACL), not an operation of its own; PutObject takes none.
        let relevant = subResources.isEmpty ? subResources : subResources.subtracting(["versionId"])
        switch method {
        case "GET":
            if relevant.isEmpty { return .getObject }
            if relevant == ["acl"] { return .getObjectAcl }
            if relevant == ["tagging"] { return .getObjectTagging }
            if relevant == ["uploadId"] { return .listParts }
            return relevant == ["partNumber"] ? .getObject : .notImplemented
        case "HEAD":
            return relevant.isEmpty || relevant == ["partNumber"] ? .headObject : .notImplemented
        case "PUT":
            if subResources.isEmpty { return headers.contains("x-amz-copy-source") ? .copyObject : .putObject }
            if relevant == ["acl"] { return .putObjectAcl }
            if relevant == ["tagging"] { return .putObjectTagging }
            if subResources == ["partNumber", "uploadId"] {
                return headers.contains("x-amz-copy-source") ? .uploadPartCopy : .uploadPart
            }
            return .notImplemented
        case "DELETE":
            if relevant.isEmpty { return .deleteObject }
            if relevant == ["uploadId"] { return .abortMultipartUpload }
            if relevant == ["tagging"] { return .deleteObjectTagging }
            return .notImplemented
        case "POST":
            if relevant == ["uploads"] { return .createMultipartUpload }
            if relevant == ["uploadId"] { return .completeMultipartUpload }
            // No operation POSTs to a plain object URL; sub-resources (?restore, ?select) are operations s3emu lacks.
            guard relevant.isEmpty else { return .notImplemented }
            throw methodNotAllowed(method, resourceType: "OBJECT")
        default:
            throw methodNotAllowed(method, resourceType: "OBJECT")
        }
    }

    /// MethodNotAllowed as S3 answers it: the body names the method and the kind of resource
    /// (`SERVICE`, `BUCKET`, `OBJECT`) it was sent to.
    private static func methodNotAllowed(_ method: String, resourceType: String, allow: String? = nil) -> S3Error {
        S3Error(
            .methodNotAllowed, details: [("Method", method), ("ResourceType", resourceType)],
            headers: allow.map { [("allow", $0)] } ?? []
        )
    }
}
