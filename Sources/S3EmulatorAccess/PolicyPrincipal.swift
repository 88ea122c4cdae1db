/// The `Principal` (or `NotPrincipal`) element of a bucket policy statement, compiled.
///
/// Forms: `"*"`, `{"AWS": "*"}` (everyone, anonymous included), `{"AWS": "123456789012"}` or
/// `{"AWS": "arn:aws:iam::123456789012:root"}` (the account), `{"AWS": "arn:aws:iam::…:user/name"}`
/// (one user), `{"CanonicalUser": "…"}`, and `{"Service": …}` / `{"Federated": …}`, which no
/// request of the emulator comes from. Each value may be a string or an array.
struct PolicyPrincipal: Sendable {
    /// `*` anywhere: every principal, anonymous included.
    var everyone = false
    /// Accounts named by id or root ARN.
    var accounts: Set<String> = []
    /// IAM user, role and session ARNs named exactly.
    var arns: Set<String> = []
    var canonicalUsers: Set<String> = []
    var services: [String] = []
    var federated: [String] = []

    /// Why a `Principal` element is refused.
    struct Invalid: Error {}

    /// Compiles the element's JSON. `principalExists`, when given, must accept every account id
    /// and ARN named (S3 refuses a principal that does not exist).
    init(json: PolicyJSON, principalExists: (@Sendable (String) -> Bool)?) throws(Invalid) {
        switch json {
        case .string("*"):
            everyone = true
        case let .object(members, duplicateNames):
            guard !members.isEmpty, !duplicateNames else { throw Invalid() }
            for (name, value) in members {
                let listed = try Self.strings(value)
                guard !listed.isEmpty else { throw Invalid() }
                switch name {
                case "AWS":
                    for entry in listed {
                        if entry == "*" {
                            everyone = true
                            continue
                        }
                        if let account = Self.accountID(entry) {
                            if let principalExists, !principalExists(account) { throw Invalid() }
                            accounts.insert(account)
                        } else if Self.isPrincipalARN(entry) {
                            if let principalExists, !principalExists(entry) { throw Invalid() }
                            arns.insert(entry)
                        } else {
                            throw Invalid()
                        }
                    }
                case "CanonicalUser":
                    for entry in listed {
                        guard !entry.isEmpty, !entry.contains("*") else { throw Invalid() }
                        canonicalUsers.insert(entry)
                    }
                case "Service":
                    guard listed.allSatisfy({ !$0.isEmpty && $0 != "*" }) else { throw Invalid() }
                    services += listed
                case "Federated":
                    guard listed.allSatisfy({ !$0.isEmpty && $0 != "*" }) else { throw Invalid() }
                    federated += listed
                default:
                    throw Invalid()
                }
            }
        default:
            throw Invalid()
        }
    }

    private static func strings(_ json: PolicyJSON) throws(Invalid) -> [String] {
        switch json {
        case let .string(text): return [text]
        case let .array(items):
            var result: [String] = []
            for item in items {
                guard case let .string(text) = item else { throw Invalid() }
                result.append(text)
            }
            return result
        default:
            throw Invalid()
        }
    }

    /// The account of `123456789012` or `arn:aws:iam::123456789012:root`.
    static func accountID(_ entry: String) -> String? {
        var candidate = Substring(entry)
        if candidate.hasPrefix("arn:aws:iam::"), candidate.hasSuffix(":root") {
            candidate = candidate.dropFirst("arn:aws:iam::".count).dropLast(":root".count)
        }
        guard candidate.utf8.count == 12, candidate.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return String(candidate)
    }

    /// Whether `entry` has the form of an IAM user, role or assumed-role ARN with a fixed name.
    static func isPrincipalARN(_ entry: String) -> Bool {
        guard !entry.contains("*"), !entry.contains("?"), let parts = PolicyCondition.arnParts(entry),
            parts[0] == "arn", parts[1] == "aws", parts[3].isEmpty,
            parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return false }
        let resource = parts[5]
        switch parts[2] {
        case "iam":
            return (resource.hasPrefix("user/") || resource.hasPrefix("role/")) && !resource.hasSuffix("/")
        case "sts":
            return resource.hasPrefix("assumed-role/") && !resource.hasSuffix("/")
        default:
            return false
        }
    }

    /// Whether the element names `principal`. An account named in an `Allow` grants only to
    /// the account's root user: its IAM users still need an identity-based allow, as IAM
    /// evaluates same-account access. In a `Deny`, the account stands for all its principals.
    func names(_ principal: Principal, canonicalUserID: String?, effect: PolicyEffect) -> Bool {
        if everyone { return true }
        if let canonicalUserID, canonicalUsers.contains(canonicalUserID) { return true }
        switch principal {
        case let .root(account):
            return accounts.contains(account)
        case let .user(_, _, account, arn, _):
            if arns.contains(arn) { return true }
            return effect == .deny && accounts.contains(account)
        case .anonymous:
            return false
        }
    }

    /// Whether the element names anyone but fixed principals (for "is this policy public").
    var isWildcard: Bool { everyone || !federated.isEmpty }

    /// A short description for traces.
    var summary: String {
        var parts: [String] = []
        if everyone { parts.append("*") }
        parts += accounts.sorted().map { "account \($0)" }
        parts += arns.sorted()
        parts += canonicalUsers.sorted().map { "CanonicalUser \($0)" }
        parts += services.map { "Service \($0)" }
        parts += federated.map { "Federated \($0)" }
        return parts.joined(separator: ", ")
    }
}
