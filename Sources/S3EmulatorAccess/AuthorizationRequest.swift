import Foundation
import S3EmulatorCore

/// Everything authorization needs to know about one request: who, which action on which
/// resource, whose bucket, and the condition keys of the request context.
///
/// Condition key names are case-insensitive (`aws:SourceIp` and `aws:sourceip` are one key);
/// values are lists because some keys (`s3:RequestObjectTagKeys`) carry several. The keys that
/// follow from the principal (`aws:username`, `aws:userid`, `aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `aws:PrincipalType`) and, when `currentTime` is given, the time
/// (`aws:CurrentTime`, `aws:EpochTime`) are filled in unless the caller set them.
///
/// ```swift
/// let request = AuthorizationRequest(
///     principal: .anonymous, action: "s3:GetObject",
///     resource: "arn:aws:s3:::bucket/photo.jpg", bucketOwnerAccount: "123456789012",
///     conditionKeys: ["aws:SourceIp": ["192.0.2.10"], "aws:SecureTransport": ["false"]])
/// ```
public struct AuthorizationRequest: Sendable {
    /// The ARN resource of account-level actions such as `s3:ListAllMyBuckets`; policies grant
    /// them with `"Resource": "*"` or `"arn:aws:s3:::*"`.
    public static let accountLevelResource = "arn:aws:s3:::*"

    public var principal: Principal
    /// The IAM action, such as `s3:GetObject`.
    public var action: String
    /// The resource ARN: `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`, or
    /// ``accountLevelResource`` for account-level actions.
    public var resource: String
    /// The account that owns the bucket (the one account of the emulator).
    public var bucketOwnerAccount: String
    /// The canonical user id of the principal, matched by `"Principal": {"CanonicalUser": …}`.
    public var canonicalUserID: String?
    /// The condition keys, by lowercased name.
    public private(set) var conditionKeys: [String: [String]]

    /// - Parameters:
    ///   - conditionKeys: the request's condition keys, by name in any case.
    ///   - canonicalUserID: the principal's canonical user id, if it has one.
    ///   - currentTime: the time of the request (a clock's `now()`); fills `aws:CurrentTime`
    ///     and `aws:EpochTime` unless `conditionKeys` has them.
    public init(
        principal: Principal,
        action: String,
        resource: String,
        bucketOwnerAccount: String,
        conditionKeys: [String: [String]] = [:],
        canonicalUserID: String? = nil,
        currentTime: Date? = nil
    ) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.bucketOwnerAccount = bucketOwnerAccount
        self.canonicalUserID = canonicalUserID
        var keys: [String: [String]] = [:]
        keys.reserveCapacity(conditionKeys.count + 7)
        for (name, values) in conditionKeys {
            keys[name.lowercasedIfNeeded()] = values
        }
        func fill(_ name: String, _ value: String?) {
            if let value, keys[name] == nil { keys[name] = [value] }
        }
        if case let .user(name, _, _, _, _) = principal { fill("aws:username", name) }
        fill("aws:userid", principal.userID)
        fill("aws:principalarn", principal.arn)
        fill("aws:principalaccount", principal.account)
        fill("aws:principaltype", principal.principalType)
        if let currentTime {
            let seconds = currentTime.timeIntervalSince1970
            fill("aws:currenttime", PolicyDate.iso8601(seconds: seconds))
            fill("aws:epochtime", String(Int(seconds.rounded(.down))))
        }
        self.conditionKeys = keys
    }

    /// A request for which no policy statement will be evaluated (the bucket owner's root user
    /// on a bucket without a policy, say): nothing can read a condition key, so none is made.
    public static func withoutConditionKeys(
        principal: Principal, action: String, resource: String, bucketOwnerAccount: String, canonicalUserID: String? = nil
    ) -> AuthorizationRequest {
        AuthorizationRequest(
            principal: principal, action: action, resource: resource, bucketOwnerAccount: bucketOwnerAccount,
            canonicalUserID: canonicalUserID, conditionKeys: [:]
        )
    }

    private init(
        principal: Principal, action: String, resource: String, bucketOwnerAccount: String, canonicalUserID: String?,
        conditionKeys: [String: [String]]
    ) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.bucketOwnerAccount = bucketOwnerAccount
        self.canonicalUserID = canonicalUserID
        self.conditionKeys = conditionKeys
    }

    /// The values of a condition key (any case); nil when the request does not carry it.
    public func values(forKey name: String) -> [String]? {
        conditionKeys[name.lowercasedIfNeeded()]
    }

    /// The values of a condition key whose name is already lowercased.
    func values(forLowercasedKey name: String) -> [String]? {
        conditionKeys[name]
    }

    /// Sets (or, with nil, removes) a condition key.
    public mutating func setValues(_ values: [String]?, forKey name: String) {
        conditionKeys[name.lowercasedIfNeeded()] = values
    }
}
