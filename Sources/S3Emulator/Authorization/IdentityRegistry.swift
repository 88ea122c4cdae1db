import Crypto
import S3EmulatorAccess
import S3EmulatorCore

/// The account's principals and their compiled identity policies, built once at start.
struct IdentityRegistry: Sendable {
    struct Identity: Sendable {
        let principal: Principal
        /// The user's inline policies, then each of its groups' policies.
        let policies: [IdentityPolicy]
    }

    let accountID: String
    private let identities: [String: Identity]

    /// Compiles every user's and group's policies; throws MalformedPolicy naming the policy.
    init(configuration: EmulatorConfiguration) throws(S3Error) {
        accountID = configuration.accountID
        var groupPolicies: [String: [IdentityPolicy]] = [:]
        for group in configuration.groups {
            groupPolicies[group.name] = try Self.compile(group.policies, owner: "group \(group.name)")
        }
        var identities: [String: Identity] = ["root": Identity(principal: .root(account: accountID), policies: [])]
        for user in configuration.users {
            var policies = try Self.compile(user.policies, owner: "user \(user.name)")
            for group in user.groups {
                policies += groupPolicies[group] ?? []
            }
            let principal = Principal.user(
                name: user.name, userID: Self.userID(name: user.name, account: accountID), account: accountID,
                arn: "arn:aws:iam::\(accountID):user/\(user.name)", groups: user.groups
            )
            identities["user/" + user.name] = Identity(principal: principal, policies: policies)
        }
        self.identities = identities
    }

    /// The identity behind an authenticated credential's principal id (`root`, `user/NAME`); anonymous for nil.
    func identity(for principalID: String?) -> Identity {
        guard let principalID, let identity = identities[principalID] else {
            return Identity(principal: .anonymous, policies: [])
        }
        return identity
    }

    /// Whether a principal a bucket policy names exists, as PutBucketPolicy checks: any account
    /// id and any other account's ARN are taken on trust; in this account, the root and the
    /// configured users exist (there are no roles).
    func principalExists(_ principal: String) -> Bool {
        if principal.utf8.count == 12, principal.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return true }
        let prefix = "arn:aws:iam::\(accountID):"
        guard principal.hasPrefix(prefix) else { return true }
        let resource = principal.dropFirst(prefix.count)
        if resource == "root" { return true }
        // user/NAME or user/PATH/NAME
        guard resource.hasPrefix("user/"), let name = resource.split(separator: "/").last else { return false }
        return identities["user/\(name)"] != nil
    }

    private static func compile(_ policies: [String: String], owner: String) throws(S3Error) -> [IdentityPolicy] {
        var compiled: [IdentityPolicy] = []
        for name in policies.keys.sorted() {
            do {
                let document = try PolicyDocument(parsing: policies[name] ?? "", kind: .identityPolicy)
                compiled.append(IdentityPolicy(name: name, document: document))
            } catch let error as S3Error {
                throw S3Error(error.code, message: "\(owner), policy \(name): \(error.message)")
            } catch {
                throw S3Error(.malformedPolicy, message: "\(owner), policy \(name): \(error)")
            }
        }
        return compiled
    }

    /// A stable IAM-style unique id (`AIDA` + 17 characters) for a user name.
    static func userID(name: String, account: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let digest = Array(SHA256.hash(data: Array("s3emu-user:\(account):\(name)".utf8)))
        return "AIDA" + String(digest.prefix(17).map { alphabet[Int($0) & 31] })
    }
}
