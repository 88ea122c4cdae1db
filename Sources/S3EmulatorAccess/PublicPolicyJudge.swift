/// Decides whether a bucket policy is "public", as the S3 User Guide defines it ("Blocking
/// public access to your Amazon S3 storage" → "The meaning of public").
///
/// S3 starts by assuming a policy is public. An `Allow` statement is non-public when it grants
/// only to fixed principals (accounts, users, roles, canonical users, services), or when a
/// condition pins one of these keys to fixed values (no wildcard, no policy variable):
/// `aws:SourceIp` (no broader than /8 for IPv4, /32 for IPv6), `aws:SourceArn`,
/// `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`, `aws:SourceAccount`,
/// `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`,
/// `s3:x-amz-server-side-encryption-aws-kms-key-id`, `s3:DataAccessPointArn`,
/// `s3:DataAccessPointAccount`. `Deny` statements grant nothing and are never public.
enum PublicPolicyJudge {
    static let restrictingKeys: Set<String> = [
        "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
        "aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:userid", "aws:sourceorgid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
    ]

    static func isPublic(_ statements: [PolicyStatement]) -> Bool {
        statements.contains(where: isPublic)
    }

    /// Whether one statement grants public access.
    static func isPublic(_ statement: PolicyStatement) -> Bool {
        guard statement.effect == .allow, let principal = statement.principal else { return false }
        // NotPrincipal with Allow grants to everyone not listed.
        guard statement.principalIsNegated || principal.isWildcard else { return false }
        return !statement.conditions.contains(where: restricts)
    }

    /// Whether a condition pins a restricting key to fixed values. A condition that holds when
    /// the key is missing (`…IfExists`, `ForAllValues:`) or a negated one restricts nothing.
    static func restricts(_ condition: PolicyCondition) -> Bool {
        guard !condition.ifExists, condition.qualifier != .forAllValues, !condition.base.isNegated,
            !condition.rawValues.isEmpty
        else { return false }
        if condition.lowercasedKey == "aws:sourceip" {
            guard case let .addresses(ranges) = condition.operands else { return false }
            return ranges.allSatisfy { $0.prefixLength >= ($0.isV4 ? 8 : 32) }
        }
        guard restrictingKeys.contains(condition.lowercasedKey) else { return false }
        switch condition.operands {
        case let .strings(operands, _), let .patterns(operands), let .arns(operands):
            return operands.allSatisfy {
                !$0.template.hasVariables && !$0.template.hasWildcardText
                    && !$0.template.containsLiteralVariableSyntax
            }
        default:
            return false
        }
    }
}
