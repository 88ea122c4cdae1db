/// What the bucket or object ACL grants the request, as the caller (which owns the ACLs and
/// Object Ownership) has judged it.
public enum ACLGrant: Sendable, Hashable {
    /// No ACL grants the permission (or ACLs are disabled, `BucketOwnerEnforced`).
    case none
    /// An ACL grants the permission; `viaPublicGroup` when only through `AllUsers` or
    /// `AuthenticatedUsers`, which `IgnorePublicAcls` disregards.
    case granted(viaPublicGroup: Bool)
}
