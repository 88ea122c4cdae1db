/// Who sent a request, as authorization sees it.
///
/// ```swift
/// let steve = Principal.user(
///     name: "steve", userID: "AIDAEXAMPLESTEVE", account: "123456789012",
///     arn: "arn:aws:iam::123456789012:user/steve", groups: [])
/// ```
public enum Principal: Sendable, Hashable {
    /// The account's root user (the credentials that own the account).
    case root(account: String)
    /// An IAM user of `account`, member of `groups` (group names).
    case user(name: String, userID: String, account: String, arn: String, groups: [String])
    /// An unsigned request.
    case anonymous

    /// The principal's ARN (`arn:aws:iam::123456789012:root` for the root user); nil for anonymous.
    public var arn: String? {
        switch self {
        case let .root(account): return "arn:aws:iam::\(account):root"
        case let .user(_, _, _, arn, _): return arn
        case .anonymous: return nil
        }
    }

    /// The account the principal belongs to; nil for anonymous.
    public var account: String? {
        switch self {
        case let .root(account): return account
        case let .user(_, _, account, _, _): return account
        case .anonymous: return nil
        }
    }

    /// The value of `aws:PrincipalType`: `Account`, `User` or `Anonymous`.
    public var principalType: String {
        switch self {
        case .root: return "Account"
        case .user: return "User"
        case .anonymous: return "Anonymous"
        }
    }

    /// The value of `aws:userid`: the account for the root user, the unique id (`AIDA…`) for a
    /// user, `anonymous` for an unsigned request.
    public var userID: String {
        switch self {
        case let .root(account): return account
        case let .user(_, userID, _, _, _): return userID
        case .anonymous: return "anonymous"
        }
    }

    /// How traces and messages name the principal.
    var displayName: String { arn ?? "anonymous" }
}
