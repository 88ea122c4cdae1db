/// One libFuzzer target: a parser that reads client bytes, and how the fuzzer feeds it.
///
/// Every target takes arbitrary bytes and must either accept them or refuse them with the
/// `S3Error` a request would be answered with (the config file: a `ConfigurationFileError`).
/// A crash, a trap (overflow, precondition, out-of-range index), a hang, an error of any other
/// type, or a broken invariant (``FuzzOutcome/unexpected(_:)``) is a bug.
///
/// ```swift
/// let outcome = bytes.withUnsafeBytes { FuzzTarget.awsChunked.run($0) }
/// if case .unexpected(let message) = outcome { fatalError(message) }
/// ```
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The request head SigV4/SigV2 authentication reads: `Authorization` (scheme, `Credential`
    /// scope, `SignedHeaders`, `Signature`), presigned query parameters, `x-amz-date`,
    /// `x-amz-content-sha256`, the canonical request; then the body through the decoder the head selects.
    case authorization
    /// A request target `path?query`: query parsing and decoding, addressing, and SigV4's
    /// canonical URI and canonical query string.
    case queryString = "query-string"
    /// `Range`, `x-amz-copy-source-range`, `partNumber`, `If-Match`, `If-None-Match`,
    /// `If-Modified-Since`, `If-Unmodified-Since`, HTTP dates and `x-amz-date`.
    case rangeAndConditionals = "range-conditional"
    /// Request headers read before the body: `x-amz-acl` and `x-amz-grant-*`, `Content-MD5` and
    /// `x-amz-checksum-*` (applied to a body), `x-amz-meta-*` and the other stored headers, and
    /// ListObjectsV2's `continuation-token`.
    case requestHeaders = "request-headers"
    /// aws-chunked bodies: chunk framing, chunk signatures and trailers, in all three streaming modes.
    case awsChunked = "aws-chunked"
    /// POST Object: the `multipart/form-data` body, then the form's signature and POST policy.
    case postObjectForm = "post-form"
    /// DeleteObjects: `<Delete>`.
    case deleteXML = "xml-delete"
    /// PutBucketCors: `<CORSConfiguration>`.
    case corsXML = "xml-cors"
    /// CompleteMultipartUpload: `<CompleteMultipartUpload>`.
    case completeMultipartUploadXML = "xml-complete-multipart-upload"
    /// PutObjectTagging: `<Tagging>`; and the `x-amz-tagging` header.
    case taggingXML = "xml-tagging"
    /// PutBucketAcl / PutObjectAcl: `<AccessControlPolicy>`.
    case accessControlPolicyXML = "xml-access-control-policy"
    /// CreateBucket: `<CreateBucketConfiguration>`.
    case createBucketConfigurationXML = "xml-create-bucket-configuration"
    /// PutBucketVersioning: `<VersioningConfiguration>`.
    case versioningConfigurationXML = "xml-versioning-configuration"
    /// Policy JSON: bucket and identity policies, and a POST form's policy document.
    case policy
    /// The `--config` file.
    case configurationFile = "config"

    /// The longest input worth trying (libFuzzer's `-max_len`): room for the seeds and a little more.
    public var maximumInputLength: Int {
        switch self {
        case .authorization, .queryString, .rangeAndConditionals, .requestHeaders: 4096
        case .awsChunked, .postObjectForm: 16384
        case .policy, .configurationFile: 16384
        case .deleteXML, .corsXML, .completeMultipartUploadXML, .taggingXML, .accessControlPolicyXML,
            .createBucketConfigurationXML, .versioningConfigurationXML:
            8192
        }
    }

    /// Feeds `bytes` to the target's parsers.
    public func run(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        let input = Array(bytes)
        switch self {
        case .authorization: return Self.fuzzAuthorization(input)
        case .queryString: return Self.fuzzQueryString(input)
        case .rangeAndConditionals: return Self.fuzzRangeAndConditionals(input)
        case .requestHeaders: return Self.fuzzRequestHeaders(input)
        case .awsChunked: return Self.fuzzAWSChunked(input)
        case .postObjectForm: return Self.fuzzPostObjectForm(input)
        case .deleteXML: return Self.fuzzDeleteXML(input)
        case .corsXML: return Self.fuzzCORSXML(input)
        case .completeMultipartUploadXML: return Self.fuzzCompleteMultipartUploadXML(input)
        case .taggingXML: return Self.fuzzTaggingXML(input)
        case .accessControlPolicyXML: return Self.fuzzAccessControlPolicyXML(input)
        case .createBucketConfigurationXML: return Self.fuzzCreateBucketConfigurationXML(input)
        case .versioningConfigurationXML: return Self.fuzzVersioningConfigurationXML(input)
        case .policy: return Self.fuzzPolicy(input)
        case .configurationFile: return Self.fuzzConfigurationFile(input)
        }
    }

    /// Runs `bytes` through the target and traps on an ``FuzzOutcome/unexpected(_:)`` outcome,
    /// so that libFuzzer records the input as a crash.
    public func runOrTrap(_ bytes: UnsafeRawBufferPointer) {
        if case .unexpected(let message) = run(bytes) {
            fatalError("\(rawValue): \(message)")
        }
    }
}
