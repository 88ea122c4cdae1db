import S3EmulatorAccess

/// S3's canned ACLs and what they grant to the public groups.
enum CannedACL {
    static let all: Set<String> = [
        "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
        "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
    ]

    /// Canned ACLs that grant something to `AllUsers` or `AuthenticatedUsers`.
    static let publicACLs: Set<String> = ["public-read", "public-read-write", "authenticated-read"]

    /// What `canned` grants a request that reads (or, with `write`, writes).
    static func grant(_ canned: String?, write: Bool, authenticated: Bool) -> ACLGrant {
        switch canned {
        case "public-read-write":
            return .granted(viaPublicGroup: true)
        case "public-read" where !write:
            return .granted(viaPublicGroup: true)
        case "authenticated-read" where !write && authenticated:
            return .granted(viaPublicGroup: true)
        default:
            return .none
        }
    }
}
