/// A statement of one policy, as decisions and traces name it.
public struct StatementReference: Sendable, Hashable, CustomStringConvertible {
    /// Which policy holds the statement.
    public enum Policy: Sendable, Hashable {
        case identityPolicy(name: String)
        case bucketPolicy
    }

    public var policy: Policy
    /// The statement's position in its policy, from 0.
    public var statementIndex: Int
    public var sid: String?

    public init(policy: Policy, statementIndex: Int, sid: String?) {
        self.policy = policy
        self.statementIndex = statementIndex
        self.sid = sid
    }

    /// The Sid, or `#n` (1-based) when the statement has none.
    public var label: String { sid.map { $0.isEmpty ? "#\(statementIndex + 1)" : $0 } ?? "#\(statementIndex + 1)" }

    public var description: String {
        switch policy {
        case let .identityPolicy(name): return "identity-based policy \"\(name)\" statement \(label)"
        case .bucketPolicy: return "bucket policy statement \(label)"
        }
    }
}
