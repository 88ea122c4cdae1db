/// An IAM user of the emulated account: its access keys, its groups and its inline policies.
///
/// ```swift
/// let steve = IAMUser(
///     name: "steve",
///     accessKeys: [AccessKey(accessKeyId: "AKIASTEVE", secretAccessKey: "steve-secret")],
///     policies: ["photos": #"{"Version": "2012-10-17", "Statement": []}"#]
/// )
/// ```
public struct IAMUser: Sendable, Equatable {
    public var name: String
    public var accessKeys: [AccessKey]
    /// Names of the ``IAMGroup``s the user belongs to.
    public var groups: [String]
    /// Inline identity policies by name; each value is an IAM policy document as JSON text.
    public var policies: [String: String]

    public init(name: String, accessKeys: [AccessKey] = [], groups: [String] = [], policies: [String: String] = [:]) {
        self.name = name
        self.accessKeys = accessKeys
        self.groups = groups
        self.policies = policies
    }
}

/// An IAM group: its policies apply to every member.
public struct IAMGroup: Sendable, Equatable {
    public var name: String
    /// Identity policies by name; each value is an IAM policy document as JSON text.
    public var policies: [String: String]

    public init(name: String, policies: [String: String] = [:]) {
        self.name = name
        self.policies = policies
    }
}
