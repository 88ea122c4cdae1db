/// An S3 error code, with the HTTP status and default message AWS S3 gives it.
///
/// Every error code s3emu can answer with is in the one table below; a handler never
/// makes up a status or a code on its own.
///
/// ```swift
/// throw S3Error(.noSuchKey, resource: "/bucket/key")
/// ```
public struct S3ErrorCode: Sendable, Hashable, CustomStringConvertible {
    /// The code as it appears in the `<Code>` element, for example `NoSuchKey`.
    public let code: String
    /// The HTTP status code of the response.
    public let status: Int
    /// The message AWS S3 sends when nothing more specific is known.
    public let defaultMessage: String

    public init(code: String, status: Int, defaultMessage: String) {
        self.code = code
        self.status = status
        self.defaultMessage = defaultMessage
    }

    public var description: String { code }
}

extension S3ErrorCode {
    public static let accessDenied = S3ErrorCode(code: "AccessDenied", status: 403, defaultMessage: "Access Denied")
    public static let accessControlListNotSupported = S3ErrorCode(
        code: "AccessControlListNotSupported", status: 400, defaultMessage: "The bucket does not allow ACLs")
    public static let authorizationHeaderMalformed = S3ErrorCode(
        code: "AuthorizationHeaderMalformed", status: 400, defaultMessage: "The authorization header is malformed.")
    public static let authorizationQueryParametersError = S3ErrorCode(
        code: "AuthorizationQueryParametersError", status: 400,
        defaultMessage: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
    public static let badDigest = S3ErrorCode(
        code: "BadDigest", status: 400, defaultMessage: "The Content-MD5 you specified did not match what we received.")
    public static let bucketAlreadyExists = S3ErrorCode(
        code: "BucketAlreadyExists", status: 409,
        defaultMessage: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
    public static let bucketAlreadyOwnedByYou = S3ErrorCode(
        code: "BucketAlreadyOwnedByYou", status: 409,
        defaultMessage: "Your previous request to create the named bucket succeeded and you already own it.")
    public static let bucketNotEmpty = S3ErrorCode(
        code: "BucketNotEmpty", status: 409, defaultMessage: "The bucket you tried to delete is not empty")
    public static let conditionalRequestConflict = S3ErrorCode(
        code: "ConditionalRequestConflict", status: 409,
        defaultMessage: "A conflicting operation occurred. If using PutObject you can retry the request. If using CompleteMultipartUpload you should recreate the multipart upload and retry.")
    public static let corsResponse = S3ErrorCode(
        code: "AccessForbidden", status: 403, defaultMessage: "CORSResponse: This CORS request is not allowed.")
    public static let entityTooLarge = S3ErrorCode(
        code: "EntityTooLarge", status: 400, defaultMessage: "Your proposed upload exceeds the maximum allowed size")
    public static let entityTooSmall = S3ErrorCode(
        code: "EntityTooSmall", status: 400, defaultMessage: "Your proposed upload is smaller than the minimum allowed size")
    public static let expiredToken = S3ErrorCode(
        code: "ExpiredToken", status: 400, defaultMessage: "The provided token has expired.")
    public static let illegalLocationConstraintException = S3ErrorCode(
        code: "IllegalLocationConstraintException", status: 400,
        defaultMessage: "The specified location-constraint is not valid for the current endpoint.")
    public static let incompleteBody = S3ErrorCode(
        code: "IncompleteBody", status: 400,
        defaultMessage: "You did not provide the number of bytes specified by the Content-Length HTTP header.")
    public static let internalError = S3ErrorCode(
        code: "InternalError", status: 500, defaultMessage: "We encountered an internal error. Please try again.")
    public static let invalidAccessKeyId = S3ErrorCode(
        code: "InvalidAccessKeyId", status: 403,
        defaultMessage: "The AWS Access Key Id you provided does not exist in our records.")
    public static let invalidArgument = S3ErrorCode(code: "InvalidArgument", status: 400, defaultMessage: "Invalid Argument")
    public static let invalidBucketAclWithObjectOwnership = S3ErrorCode(
        code: "InvalidBucketAclWithObjectOwnership", status: 400,
        defaultMessage: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    public static let invalidBucketName = S3ErrorCode(
        code: "InvalidBucketName", status: 400, defaultMessage: "The specified bucket is not valid.")
    public static let invalidBucketState = S3ErrorCode(
        code: "InvalidBucketState", status: 409, defaultMessage: "The request is not valid with the current state of the bucket.")
    public static let invalidDigest = S3ErrorCode(
        code: "InvalidDigest", status: 400, defaultMessage: "The Content-MD5 you specified is not valid.")
    public static let invalidEncryptionAlgorithmError = S3ErrorCode(
        code: "InvalidEncryptionAlgorithmError", status: 400,
        defaultMessage: "The encryption request you specified is not valid. The valid value is AES256.")
    public static let invalidURI = S3ErrorCode(code: "InvalidURI", status: 400, defaultMessage: "Couldn't parse the specified URI.")
    public static let invalidLocationConstraint = S3ErrorCode(
        code: "InvalidLocationConstraint", status: 400, defaultMessage: "The specified location constraint is not valid.")
    public static let invalidObjectState = S3ErrorCode(
        code: "InvalidObjectState", status: 403, defaultMessage: "The operation is not valid for the object's storage class")
    public static let invalidPart = S3ErrorCode(
        code: "InvalidPart", status: 400,
        defaultMessage: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
    public static let invalidPartOrder = S3ErrorCode(
        code: "InvalidPartOrder", status: 400,
        defaultMessage: "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
    public static let invalidPolicyDocument = S3ErrorCode(
        code: "InvalidPolicyDocument", status: 400,
        defaultMessage: "The content of the form does not meet the conditions specified in the policy document.")
    public static let invalidRange = S3ErrorCode(
        code: "InvalidRange", status: 416, defaultMessage: "The requested range is not satisfiable")
    public static let invalidRequest = S3ErrorCode(code: "InvalidRequest", status: 400, defaultMessage: "Invalid Request")
    public static let invalidStorageClass = S3ErrorCode(
        code: "InvalidStorageClass", status: 400, defaultMessage: "The storage class you specified is not valid")
    public static let invalidTag = S3ErrorCode(code: "InvalidTag", status: 400, defaultMessage: "The TagValue you have provided is invalid")
    public static let invalidToken = S3ErrorCode(
        code: "InvalidToken", status: 400, defaultMessage: "The provided token is malformed or otherwise invalid.")
    public static let keyTooLongError = S3ErrorCode(
        code: "KeyTooLongError", status: 400, defaultMessage: "Your key is too long")
    public static let malformedACLError = S3ErrorCode(
        code: "MalformedACLError", status: 400,
        defaultMessage: "The XML you provided was not well-formed or did not validate against our published schema")
    public static let malformedPOSTRequest = S3ErrorCode(
        code: "MalformedPOSTRequest", status: 400,
        defaultMessage: "The body of your POST request is not well-formed multipart/form-data.")
    public static let malformedPolicy = S3ErrorCode(code: "MalformedPolicy", status: 400, defaultMessage: "Policies must be valid JSON")
    public static let malformedXML = S3ErrorCode(
        code: "MalformedXML", status: 400,
        defaultMessage: "The XML you provided was not well-formed or did not validate against our published schema")
    public static let maxMessageLengthExceeded = S3ErrorCode(
        code: "MaxMessageLengthExceeded", status: 400, defaultMessage: "Your request was too big.")
    public static let metadataTooLarge = S3ErrorCode(
        code: "MetadataTooLarge", status: 400,
        defaultMessage: "Your metadata headers exceed the maximum allowed metadata size.")
    public static let methodNotAllowed = S3ErrorCode(
        code: "MethodNotAllowed", status: 405, defaultMessage: "The specified method is not allowed against this resource.")
    public static let missingContentLength = S3ErrorCode(
        code: "MissingContentLength", status: 411, defaultMessage: "You must provide the Content-Length HTTP header.")
    public static let missingRequestBodyError = S3ErrorCode(
        code: "MissingRequestBodyError", status: 400, defaultMessage: "Request Body is empty")
    public static let missingSecurityHeader = S3ErrorCode(
        code: "MissingSecurityHeader", status: 400, defaultMessage: "Your request was missing a required header")
    public static let noSuchBucket = S3ErrorCode(
        code: "NoSuchBucket", status: 404, defaultMessage: "The specified bucket does not exist")
    public static let noSuchBucketPolicy = S3ErrorCode(
        code: "NoSuchBucketPolicy", status: 404, defaultMessage: "The bucket policy does not exist")
    public static let noSuchCORSConfiguration = S3ErrorCode(
        code: "NoSuchCORSConfiguration", status: 404, defaultMessage: "The CORS configuration does not exist")
    public static let noSuchKey = S3ErrorCode(code: "NoSuchKey", status: 404, defaultMessage: "The specified key does not exist.")
    public static let noSuchPublicAccessBlockConfiguration = S3ErrorCode(
        code: "NoSuchPublicAccessBlockConfiguration", status: 404,
        defaultMessage: "The public access block configuration was not found")
    public static let noSuchTagSet = S3ErrorCode(code: "NoSuchTagSet", status: 404, defaultMessage: "The TagSet does not exist")
    public static let noSuchUpload = S3ErrorCode(
        code: "NoSuchUpload", status: 404,
        defaultMessage: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
    public static let noSuchVersion = S3ErrorCode(
        code: "NoSuchVersion", status: 404, defaultMessage: "The specified version does not exist.")
    public static let notImplemented = S3ErrorCode(
        code: "NotImplemented", status: 501, defaultMessage: "A header you provided implies functionality that is not implemented")
    public static let notModified = S3ErrorCode(code: "NotModified", status: 304, defaultMessage: "Not Modified")
    public static let ownershipControlsNotFoundError = S3ErrorCode(
        code: "OwnershipControlsNotFoundError", status: 404, defaultMessage: "The bucket ownership controls were not found")
    public static let preconditionFailed = S3ErrorCode(
        code: "PreconditionFailed", status: 412, defaultMessage: "At least one of the pre-conditions you specified did not hold")
    public static let requestTimeout = S3ErrorCode(
        code: "RequestTimeout", status: 400,
        defaultMessage: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
    public static let requestTimeTooSkewed = S3ErrorCode(
        code: "RequestTimeTooSkewed", status: 403,
        defaultMessage: "The difference between the request time and the current time is too large.")
    public static let serviceUnavailable = S3ErrorCode(
        code: "ServiceUnavailable", status: 503, defaultMessage: "Please reduce your request rate.")
    public static let signatureDoesNotMatch = S3ErrorCode(
        code: "SignatureDoesNotMatch", status: 403,
        defaultMessage: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
    public static let tooManyBuckets = S3ErrorCode(
        code: "TooManyBuckets", status: 400, defaultMessage: "You have attempted to create more buckets than allowed")
    public static let unresolvableGrantByEmailAddress = S3ErrorCode(
        code: "UnresolvableGrantByEmailAddress", status: 400,
        defaultMessage: "The email address you provided does not match any account on record.")
    public static let unexpectedContent = S3ErrorCode(
        code: "UnexpectedContent", status: 400, defaultMessage: "This request does not support content")
    public static let xAmzContentSHA256Mismatch = S3ErrorCode(
        code: "XAmzContentSHA256Mismatch", status: 400,
        defaultMessage: "The provided 'x-amz-content-sha256' header does not match what was computed.")
    public static let invalidChunkSizeError = S3ErrorCode(
        code: "InvalidChunkSizeError", status: 403,
        defaultMessage: "Only the last chunk is allowed to have a size less than 8192 bytes")
    public static let malformedTrailerError = S3ErrorCode(
        code: "MalformedTrailerError", status: 400,
        defaultMessage: "The request contained trailing data that was not well-formed or did not conform to our published schema.")
    public static let invalidPartNumber = S3ErrorCode(
        code: "InvalidPartNumber", status: 416, defaultMessage: "The requested partnumber is not satisfiable")
    public static let badRequest = S3ErrorCode(code: "BadRequest", status: 400, defaultMessage: "Bad Request")
    public static let maxPostPreDataLengthExceeded = S3ErrorCode(
        code: "MaxPostPreDataLengthExceeded", status: 400,
        defaultMessage: "Your POST request fields preceeding the upload file was too large.")
    public static let requestHeaderSectionTooLarge = S3ErrorCode(
        code: "RequestHeaderSectionTooLarge", status: 400,
        defaultMessage: "Your request header section exceeds the maximum allowed size.")
    public static let policyTooLarge = S3ErrorCode(
        code: "PolicyTooLarge", status: 400, defaultMessage: "Policy exceeds the maximum allowed document size.")
}
