/// One condition of a POST policy's `conditions` list.
///
/// `{"acl": "public-read"}` and `["eq", "$acl", "public-read"]` are ``equals``;
/// `["starts-with", "$key", "user/"]` is ``startsWith``; `["content-length-range", 1, 10485760]`
/// is ``contentLengthRange``. Operators and field names match without regard to letter case;
/// values are compared exactly.
public enum PostPolicyCondition: Sendable, Equatable {
    /// The field must have exactly `value`. `field` is as the policy wrote it (`$key`; the
    /// object form `{"key": …}` is `$key` too); a field without `$` never matches, as on S3.
    case equals(field: String, value: String, text: String)
    /// The field must start with `prefix` (`""`: any value, but the field must be there).
    /// A `Content-Type` value with commas is a list whose every item must start with `prefix`.
    case startsWith(field: String, prefix: String, text: String)
    /// The file's size in bytes must lie in `minimum...maximum`; nil bounds are operands that
    /// are not numbers, which make the condition fail.
    case contentLengthRange(minimum: Int64?, maximum: Int64?, text: String)

    /// The condition as S3 quotes it in "Policy Condition failed: …": the array form as the
    /// policy wrote it, the object form as `["eq", "$field", "value"]`.
    public var text: String {
        switch self {
        case .equals(_, _, let text), .startsWith(_, _, let text), .contentLengthRange(_, _, let text): text
        }
    }

    /// The form field the condition is about, lowercased and without `$`; nil for
    /// `content-length-range` and for a field named without `$` in the array form.
    public var fieldName: String? {
        switch self {
        case .equals(let field, _, _), .startsWith(let field, _, _):
            return field.hasPrefix("$") ? String(field.dropFirst()).lowercased() : nil
        case .contentLengthRange: return nil
        }
    }

    /// Whether the form satisfies the condition. `bucket` is the request's bucket, which the
    /// `bucket` condition is about.
    func isSatisfied(by form: PostPolicyForm, bucket: String) -> Bool {
        switch self {
        case .equals(_, let expected, _):
            guard let value = value(in: form, bucket: bucket) else { return false }
            return value == expected
        case .startsWith(_, let prefix, _):
            guard let value = value(in: form, bucket: bucket) else { return false }
            if fieldName == "content-type", value.contains(",") {
                return value.split(separator: ",", omittingEmptySubsequences: false).allSatisfy {
                    $0.drop { $0 == " " }.hasPrefix(prefix)
                }
            }
            return value.hasPrefix(prefix)
        case .contentLengthRange:
            return true
        }
    }

    private func value(in form: PostPolicyForm, bucket: String) -> String? {
        guard let name = fieldName else { return nil }
        return name == "bucket" ? bucket : form[name]
    }
}
