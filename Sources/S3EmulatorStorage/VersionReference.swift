/// Which version of a key a request names (its `versionId` parameter).
public enum VersionReference: Sendable, Equatable, Hashable {
    /// No `versionId`: the current version.
    case latest
    /// `versionId=null`: the `null` version (objects written while the bucket was unversioned
    /// or versioning was suspended).
    case null
    /// A version id the store assigned.
    case id(String)

    /// The version id column value this reference selects (`nil` for the null version); `nil`
    /// for ``latest`` too, so check that case first.
    public var storedVersionID: String? {
        if case .id(let id) = self { return id }
        return nil
    }

    /// The `versionId` text S3 reports for a stored version id: `"null"` for the null version.
    public static func text(_ versionID: String?) -> String {
        versionID ?? "null"
    }
}
