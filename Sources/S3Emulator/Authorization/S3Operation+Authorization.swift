import S3EmulatorAccess

extension S3Operation {
    /// The IAM action the operation needs, as the S3 service authorization reference lists it;
    /// nil when it is checked per key (DeleteObjects) or not at all.
    var iamAction: String? {
        switch self {
        case .listBuckets: "s3:ListAllMyBuckets"
        case .createBucket: "s3:CreateBucket"
        case .headBucket, .listObjects, .listObjectsV2: "s3:ListBucket"
        case .deleteBucket: "s3:DeleteBucket"
        case .getBucketLocation: "s3:GetBucketLocation"
        case .getBucketPolicy: "s3:GetBucketPolicy"
        case .putBucketPolicy: "s3:PutBucketPolicy"
        case .deleteBucketPolicy: "s3:DeleteBucketPolicy"
        case .getBucketPolicyStatus: "s3:GetBucketPolicyStatus"
        case .getPublicAccessBlock: "s3:GetBucketPublicAccessBlock"
        case .putPublicAccessBlock, .deletePublicAccessBlock: "s3:PutBucketPublicAccessBlock"
        case .getBucketOwnershipControls: "s3:GetBucketOwnershipControls"
        case .putBucketOwnershipControls, .deleteBucketOwnershipControls: "s3:PutBucketOwnershipControls"
        case .getBucketAcl: "s3:GetBucketAcl"
        case .putBucketAcl: "s3:PutBucketAcl"
        case .putObject, .copyObject: "s3:PutObject"
        case .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload: "s3:PutObject"
        case .abortMultipartUpload: "s3:AbortMultipartUpload"
        case .listParts: "s3:ListMultipartUploadParts"
        case .listMultipartUploads: "s3:ListBucketMultipartUploads"
        case .getObject, .headObject: "s3:GetObject"
        case .deleteObject: "s3:DeleteObject"
        case .getObjectAcl: "s3:GetObjectAcl"
        case .getObjectTagging: "s3:GetObjectTagging"
        case .putObjectTagging: "s3:PutObjectTagging"
        case .deleteObjectTagging: "s3:DeleteObjectTagging"
        case .listObjectVersions: "s3:ListBucketVersions"
        case .getBucketVersioning: "s3:GetBucketVersioning"
        case .putBucketVersioning: "s3:PutBucketVersioning"
        case .getBucketTagging: "s3:GetBucketTagging"
        case .putBucketTagging, .deleteBucketTagging: "s3:PutBucketTagging"
        case .putObjectAcl: "s3:PutObjectAcl"
        case .getBucketCors: "s3:GetBucketCORS"
        case .putBucketCors, .deleteBucketCors: "s3:PutBucketCORS"
        // POST Object is authorized for the form's signer and key, once the form is read.
        case .deleteObjects, .postObject, .corsPreflight, .notImplemented: nil
        }
    }

    /// The IAM action when the request names a version (`versionId`): S3 checks the `…Version…`
    /// action of the operations that act on one version.
    var versionIAMAction: String? {
        switch self {
        case .getObject, .headObject: "s3:GetObjectVersion"
        case .deleteObject: "s3:DeleteObjectVersion"
        case .getObjectAcl: "s3:GetObjectVersionAcl"
        case .putObjectAcl: "s3:PutObjectVersionAcl"
        case .getObjectTagging: "s3:GetObjectVersionTagging"
        case .putObjectTagging: "s3:PutObjectVersionTagging"
        case .deleteObjectTagging: "s3:DeleteObjectVersionTagging"
        default: iamAction
        }
    }

    /// True when the action's resource is the object (`arn:aws:s3:::bucket/key`), not the bucket.
    var actsOnObject: Bool {
        switch self {
        case .putObject, .copyObject, .getObject, .headObject, .deleteObject, .getObjectAcl, .putObjectAcl,
             .getObjectTagging, .putObjectTagging, .deleteObjectTagging:
            true
        case .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload, .abortMultipartUpload, .listParts: true
        default: false
        }
    }
}

/// ARNs of S3 resources.
enum S3ARN {
    static func bucket(_ bucket: String) -> String { "arn:aws:s3:::" + bucket }
    static func object(_ bucket: String, _ key: String) -> String { "arn:aws:s3:::" + bucket + "/" + key }
}
