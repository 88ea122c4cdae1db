public import Foundation
public import S3EmulatorCore

/// A POST policy: the base64 JSON document a browser form carries in its `policy` field, with
/// an `expiration` and the `conditions` every upload through the form must meet.
///
/// Parsing refuses what S3 refuses with InvalidPolicyDocument; ``check(_:bucket:now:)``
/// answers AccessDenied "Invalid according to Policy: …" for an expired policy, the first
/// failed condition, and fields no condition covers; ``checkContentLength(_:)`` answers
/// EntityTooSmall / EntityTooLarge once the file's size is known.
///
/// ```swift
/// let policy = try PostPolicy(base64: form["policy"] ?? "")
/// try policy.check(form, bucket: "photos", now: Date())
/// // … stream the file …
/// try policy.checkContentLength(size)
/// ```
public struct PostPolicy: Sendable, Equatable {
    /// When the policy stops being valid.
    public var expiration: Date
    /// The conditions, in order.
    public var conditions: [PostPolicyCondition]

    /// Fields no condition needs to cover: the signature, the file, the policy itself.
    static let uncoveredFields: Set<String> = ["x-amz-signature", "file", "policy", "awsaccesskeyid", "signature"]

    /// A policy with the given expiration and conditions.
    public init(expiration: Date, conditions: [PostPolicyCondition]) {
        self.expiration = expiration
        self.conditions = conditions
    }

    /// Decodes and parses the `policy` field of a form.
    /// - Throws: ``S3Error`` InvalidPolicyDocument with S3's "Invalid Policy: …" message.
    public init(base64: String) throws(S3Error) {
        guard let bytes = Base64.decode(base64.filter { !$0.isWhitespace }) else {
            throw Self.invalid("invalid Base64 encoding.")
        }
        guard let json = PostPolicyJSON.parse(bytes), case .object(let members) = json else {
            throw Self.invalid("Invalid JSON.")
        }
        var expiration: PostPolicyJSON?
        var conditions: PostPolicyJSON?
        for member in members {
            switch member.name {
            case "expiration": expiration = member.value
            case "conditions": conditions = member.value
            default: throw Self.invalid("Unexpected: '\(member.name.lowercased())'")
            }
        }
        guard let expiration else { throw Self.invalid("Policy missing expiration.") }
        guard case .string(let expirationText) = expiration, let date = Self.parseExpiration(expirationText) else {
            throw Self.invalid("Invalid 'expiration' value: '\(Self.plain(expiration))'")
        }
        guard let conditions else { throw Self.invalid("Policy missing conditions.") }
        guard case .array(let items) = conditions else {
            throw Self.invalid("Invalid 'conditions' value: must be a List.")
        }
        var parsed: [PostPolicyCondition] = []
        parsed.reserveCapacity(items.count)
        for item in items {
            parsed.append(try Self.condition(item))
        }
        self.init(expiration: date, conditions: parsed)
    }

    /// Checks the form against the policy at `now`: the expiration, then every condition but
    /// `content-length-range` in order, then that every field is covered by a condition.
    /// - Throws: ``S3Error`` AccessDenied "Invalid according to Policy: …".
    public func check(_ form: PostPolicyForm, bucket: String, now: Date) throws(S3Error) {
        guard now < expiration else {
            throw S3Error(.accessDenied, message: "Invalid according to Policy: Policy expired.")
        }
        var covered: Set<String> = []
        for condition in conditions {
            if let name = condition.fieldName { covered.insert(name) }
            guard condition.isSatisfied(by: form, bucket: bucket) else {
                throw S3Error(.accessDenied, message: "Invalid according to Policy: Policy Condition failed: \(condition.text)")
            }
            if case .contentLengthRange(let minimum, let maximum, _) = condition, minimum == nil || maximum == nil {
                throw S3Error(.accessDenied, message: "Invalid according to Policy: Policy Condition failed: \(condition.text)")
            }
        }
        let extra = form.fields.map(\.name).filter { name in
            let lowered = name.lowercased()
            return !covered.contains(lowered) && !Self.uncoveredFields.contains(lowered) && !lowered.hasPrefix("x-ignore-")
        }
        if !extra.isEmpty {
            throw S3Error(.accessDenied, message: "Invalid according to Policy: Extra input fields: \(extra.joined(separator: ", "))")
        }
    }

    /// The largest file every `content-length-range` allows; nil when none limits it.
    public var maximumContentLength: Int64? {
        conditions.compactMap { condition -> Int64? in
            if case .contentLengthRange(_, let maximum?, _) = condition { return maximum }
            return nil
        }.min()
    }

    /// Checks the file's size against every `content-length-range` (bounds included).
    /// - Throws: ``S3Error`` EntityTooSmall or EntityTooLarge with the proposed size and the bound.
    public func checkContentLength(_ size: Int64) throws(S3Error) {
        for case .contentLengthRange(let minimum?, let maximum?, _) in conditions {
            if size < minimum {
                throw S3Error(.entityTooSmall, details: [("ProposedSize", String(size)), ("MinSizeAllowed", String(minimum))])
            }
            if size > maximum {
                throw S3Error(.entityTooLarge, details: [("ProposedSize", String(size)), ("MaxSizeAllowed", String(maximum))])
            }
        }
    }

    // MARK: - Parsing

    private static func invalid(_ detail: String) -> S3Error {
        S3Error(.invalidPolicyDocument, message: "Invalid Policy: \(detail)")
    }

    /// A JSON value as S3 shows it inside quotes: strings without their quotes.
    private static func plain(_ value: PostPolicyJSON) -> String {
        if case .string(let string) = value { return string }
        return value.text
    }

    /// `2013-08-01T12:00:00.000Z` or `2013-08-01T12:00:00Z`: UTC only.
    static func parseExpiration(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        return AmazonDate.parseISO8601(text)
    }

    private static func condition(_ item: PostPolicyJSON) throws(S3Error) -> PostPolicyCondition {
        switch item {
        case .object(let members):
            guard members.count == 1, let member = members.first else {
                throw invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
            }
            switch member.value {
            case .string(let value):
                let field = "$" + member.name
                return .equals(field: field, value: value, text: "[\"eq\", \(PostPolicyJSON.quoted(field)), \(PostPolicyJSON.quoted(value))]")
            case .null, .object, .array:
                throw invalid("Invalid JSON.")
            case .number, .bool:
                throw invalid("Invalid Simple-Condition: value must be a string.")
            }
        case .array(let items):
            guard let first = items.first else { throw invalid("Invalid Condition: missing operation identifier.") }
            guard case .string(let operation) = first else { throw invalid("Invalid JSON.") }
            let text = item.text
            switch operation.lowercased() {
            case "eq", "starts-with":
                guard items.count == 3 else { throw invalid("Invalid \(operation): wrong number of arguments.") }
                guard case .string(let field) = items[1], case .string(let operand) = items[2] else { throw invalid("Invalid JSON.") }
                return operation.lowercased() == "eq"
                    ? .equals(field: field, value: operand, text: text)
                    : .startsWith(field: field, prefix: operand, text: text)
            case "content-length-range":
                guard items.count == 3 else { throw invalid("Invalid \(operation): wrong number of arguments.") }
                let minimum = try bound(items[1])
                let maximum = try bound(items[2])
                return .contentLengthRange(minimum: minimum, maximum: maximum, text: text)
            default:
                throw invalid("Invalid Condition: unknown operation '\(operation)'.")
            }
        default:
            throw invalid("Invalid condition test: must be a List or Object.")
        }
    }

    /// A `content-length-range` bound: an integer, or a string of one; nil for other text (which
    /// fails the condition). Fractions and negative numbers make the policy invalid.
    private static func bound(_ value: PostPolicyJSON) throws(S3Error) -> Int64? {
        let text: String
        switch value {
        case .number(let number): text = number
        case .string(let string): text = string
        default: throw invalid("Invalid JSON.")
        }
        guard let number = Int64(text) else {
            if case .number = value { throw invalid("Invalid JSON.") }
            return nil
        }
        guard number >= 0 else { throw invalid("Invalid content-length-range: the bounds must not be negative.") }
        return number
    }
}
