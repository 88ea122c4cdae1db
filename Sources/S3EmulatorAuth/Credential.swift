/// An access key: its id, its secret, and the principal it authenticates as.
public struct Credential: Sendable, Equatable {
    /// The access key id, for example `AKIAIOSFODNN7EXAMPLE`.
    public var accessKeyId: String
    /// The secret access key.
    public var secretAccessKey: String
    /// An opaque id of the principal the key belongs to, which the server maps to a user:
    /// for example `root` or `user/NAME`.
    public var principal: String

    /// A credential of the access key `accessKeyId` for `principal`.
    public init(accessKeyId: String, secretAccessKey: String, principal: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.principal = principal
    }
}

/// Where authentication looks up access keys.
///
/// ```swift
/// struct Keys: CredentialStore {
///     func credential(forAccessKeyId id: String) -> Credential? { id == "test" ? root : nil }
/// }
/// ```
public protocol CredentialStore: Sendable {
    /// The credential of the access key `accessKeyId`, or nil when there is no such key.
    func credential(forAccessKeyId accessKeyId: String) -> Credential?
}

/// A fixed set of credentials, looked up by access key id.
public struct StaticCredentialStore: CredentialStore {
    private let credentials: [String: Credential]

    /// A store of `credentials`; when two share an access key id, the last one wins.
    public init(_ credentials: [Credential]) {
        var byId: [String: Credential] = [:]
        for credential in credentials {
            byId[credential.accessKeyId] = credential
        }
        self.credentials = byId
    }

    /// The credential of `accessKeyId`, or nil.
    public func credential(forAccessKeyId accessKeyId: String) -> Credential? {
        credentials[accessKeyId]
    }
}
