import S3EmulatorCore

/// A policy document, parsed, validated and compiled once — when it is stored — so that
/// evaluating it per request needs no JSON and builds no pattern.
///
/// ```swift
/// let policy = try PolicyDocument(
///     parsing: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","#
///         + #""Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}"#,
///     kind: .bucketPolicy(bucket: "photos"))
/// policy.isPublic  // true
/// ```
///
/// An invalid document throws `S3Error(.malformedPolicy)` with the message AWS gives, for
/// example "Policy has invalid action" or "Invalid principal in policy".
public struct PolicyDocument: Sendable {
    /// Where a policy is attached, which decides how it is validated.
    public enum Kind: Sendable, Hashable {
        /// A bucket policy of `bucket`: a `Principal` is required, actions must be S3 actions,
        /// resources must be in the bucket.
        case bucketPolicy(bucket: String)
        /// An identity-based policy (of a user or group): no `Principal`, any service's actions,
        /// any ARN or `*` as resource.
        case identityPolicy
    }

    /// The version that turns policy variables on.
    public static let currentVersion = "2012-10-17"

    public let kind: Kind
    /// The document as given.
    public let text: String
    /// The `Version` element; nil when the document has none (which means 2008-10-17).
    public let version: String?
    /// The `Id` element.
    public let id: String?
    public let statements: [PolicyStatement]
    /// True when some `Allow` grants to everyone (`*`) without a condition that pins a fixed
    /// value of a key AWS counts as restricting ("The meaning of public").
    public let isPublic: Bool

    /// True when `${…}` are policy variables: only under Version 2012-10-17.
    public var variablesEnabled: Bool { version == Self.currentVersion }

    /// Parses, validates and compiles `text`.
    ///
    /// - Parameter principalExists: for bucket policies, checks each account id and ARN named
    ///   in a `Principal`; S3 refuses a principal that does not exist ("Invalid principal in
    ///   policy"). Without it, any well-formed principal is accepted.
    public init(parsing text: String, kind: Kind, principalExists: (@Sendable (String) -> Bool)? = nil) throws {
        self = try PolicyParser(text: text, kind: kind, principalExists: principalExists).parse()
    }

    init(kind: Kind, text: String, version: String?, id: String?, statements: [PolicyStatement]) {
        self.kind = kind
        self.text = text
        self.version = version
        self.id = id
        self.statements = statements
        self.isPublic = PublicPolicyJudge.isPublic(statements)
    }

    /// The bucket of a bucket policy.
    var bucket: String? {
        if case let .bucketPolicy(bucket) = kind { return bucket }
        return nil
    }
}
