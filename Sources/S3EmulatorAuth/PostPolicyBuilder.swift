public import Foundation
import S3EmulatorCore

/// Builds presigned POST forms (browser uploads) signed with Signature Version 4, as SDKs'
/// `generate_presigned_post` / `createPresignedPost` do: a policy with an expiration and
/// conditions, and the form fields that go with it. For test harnesses and tools; the server
/// checks forms with ``SigV4Authenticator/authenticatePost(_:)`` and ``PostPolicy``.
///
/// The policy always has `{"bucket": …}`, a condition on the key (`starts-with` what precedes a
/// trailing `${filename}`, else an exact match), an exact match for every extra field, the
/// extra `conditions`, then `x-amz-algorithm`, `x-amz-credential` and `x-amz-date`.
///
/// ```swift
/// let signer = SigV4Signer(accessKeyId: "test", secretAccessKey: "test", region: "us-east-1")
/// let form = PostPolicyBuilder(signer: signer).presignedPost(
///     bucket: "photos", key: "uploads/${filename}", expiresIn: 3600, date: Date(),
///     fields: [("Content-Type", "image/png")], conditions: [.contentLengthRange(1, 10 << 20)]
/// )
/// // form.fields: key, Content-Type, x-amz-algorithm, x-amz-credential, x-amz-date, policy, x-amz-signature
/// // (send them before the `file` part)
/// ```
public struct PostPolicyBuilder: Sendable {
    /// One condition of the policy, besides those the builder adds.
    public enum Condition: Sendable, Equatable {
        /// `{"field": "value"}`.
        case equals(String, String)
        /// `["starts-with", "$field", "prefix"]` (a leading `$` in the name is optional).
        case startsWith(String, String)
        /// `["content-length-range", minimum, maximum]`.
        case contentLengthRange(Int64, Int64)
    }

    /// A signed form: the fields to send, in order, before the file part.
    public struct Form: Sendable, Equatable {
        /// The form fields, in the order to send them.
        public var fields: [(name: String, value: String)]
        /// The policy document as JSON text (its base64 form is the `policy` field).
        public var policy: String

        /// The value of the field `name` (exact name).
        public subscript(_ name: String) -> String? {
            fields.first { $0.name == name }?.value
        }

        public static func == (lhs: Form, rhs: Form) -> Bool {
            lhs.policy == rhs.policy && lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
        }
    }

    /// The signer whose key, region and service sign the policy.
    public let signer: SigV4Signer

    /// A builder signing with `signer`.
    public init(signer: SigV4Signer) {
        self.signer = signer
    }

    /// A form for uploads to `bucket` under `key` (which may end in `${filename}`), valid for
    /// `expiresIn` seconds after `date` (negative values give an already expired form).
    public func presignedPost(
        bucket: String, key: String, expiresIn: Int, date: Date, fields: [(name: String, value: String)] = [],
        conditions: [Condition] = []
    ) -> Form {
        let credential = "\(signer.accessKeyId)/\(signer.credentialScope(date: date))"
        let amazonDate = AmazonDate.formatBasic(date)
        var policyConditions: [Condition] = [.equals("bucket", bucket)]
        if key.hasSuffix("${filename}") {
            policyConditions.append(.startsWith("key", String(key.dropLast("${filename}".count))))
        } else {
            policyConditions.append(.equals("key", key))
        }
        for field in fields {
            policyConditions.append(.equals(field.name, field.value))
        }
        policyConditions += conditions
        policyConditions += [
            .equals("x-amz-algorithm", SigV4.algorithm), .equals("x-amz-credential", credential), .equals("x-amz-date", amazonDate),
        ]
        // `2015-12-29T01:00:00Z`, without milliseconds, as botocore writes it.
        let expiration = AmazonDate.formatISO8601(date.addingTimeInterval(TimeInterval(expiresIn))).prefix(19) + "Z"
        let policy = Self.document(expiration: String(expiration), conditions: policyConditions)
        let encoded = Base64.encode(Array(policy.utf8))

        var formFields: [(name: String, value: String)] = [("key", key)]
        formFields += fields
        formFields += [
            ("x-amz-algorithm", SigV4.algorithm), ("x-amz-credential", credential), ("x-amz-date", amazonDate),
            ("policy", encoded), ("x-amz-signature", signer.signature(stringToSign: encoded, date: date)),
        ]
        return Form(fields: formFields, policy: policy)
    }

    /// The policy as JSON text, spaced as botocore writes it.
    public static func document(expiration: String, conditions: [Condition]) -> String {
        let items = conditions.map { condition -> String in
            switch condition {
            case .equals(let name, let value):
                return "{\(PostPolicyJSON.quoted(name)): \(PostPolicyJSON.quoted(value))}"
            case .startsWith(let name, let prefix):
                let field = name.hasPrefix("$") ? name : "$" + name
                return "[\"starts-with\", \(PostPolicyJSON.quoted(field)), \(PostPolicyJSON.quoted(prefix))]"
            case .contentLengthRange(let minimum, let maximum):
                return "[\"content-length-range\", \(minimum), \(maximum)]"
            }
        }
        return "{\"expiration\": \(PostPolicyJSON.quoted(expiration)), \"conditions\": [\(items.joined(separator: ", "))]}"
    }
}
