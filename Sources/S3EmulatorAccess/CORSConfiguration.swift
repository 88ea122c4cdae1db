public import S3EmulatorCore

/// A bucket's CORS configuration: its `CORSRule`s, in order. The first rule that matches a
/// request decides it; there is no fall-through to later rules for the headers of a rule that
/// matched.
///
/// ```swift
/// let configuration = try CORSConfiguration(parsing: Array(xml.utf8))   // PutBucketCors body
/// if let match = configuration.preflight(origin: "https://app.example", method: "PUT", requestHeaders: ["content-type"]) {
///     // 200 with match.rule's headers
/// }
/// ```
public struct CORSConfiguration: Sendable, Equatable {
    /// The methods an `AllowedMethod` may name.
    public static let methods: Set<String> = ["GET", "PUT", "POST", "DELETE", "HEAD"]
    /// The most rules one configuration may hold.
    public static let maximumRules = 100
    /// The longest rule `ID`.
    public static let maximumIDLength = 255

    /// The rules, in order.
    public var rules: [CORSRule]

    /// A configuration of `rules`, checked as PutBucketCors checks them.
    /// - Throws: ``S3Error`` MalformedXML or InvalidRequest with S3's message.
    public init(rules: [CORSRule]) throws(S3Error) {
        self.rules = rules
        try validate()
    }

    /// The rule a CORS request matches, and the origin pattern it matched.
    public struct Match: Sendable, Equatable {
        /// The first matching rule.
        public var rule: CORSRule
        /// True when the origin matched `*` alone: the response says `Access-Control-Allow-Origin: *`
        /// and no credentials.
        public var anyOrigin: Bool
    }

    /// The rule a preflight (`OPTIONS`) matches: origin, `Access-Control-Request-Method` and every
    /// name of `Access-Control-Request-Headers`; nil when none does.
    public func preflight(origin: String, method: String, requestHeaders: [String]) -> Match? {
        for rule in rules {
            guard let pattern = rule.matchedOrigin(origin), rule.allowsMethod(method) else { continue }
            guard requestHeaders.allSatisfy(rule.allowsHeader) else { continue }
            return Match(rule: rule, anyOrigin: pattern.isWildcard)
        }
        return nil
    }

    /// The rule an actual request matches: origin and method (its headers are not checked).
    public func match(origin: String, method: String) -> Match? {
        for rule in rules {
            guard let pattern = rule.matchedOrigin(origin), rule.allowsMethod(method) else { continue }
            return Match(rule: rule, anyOrigin: pattern.isWildcard)
        }
        return nil
    }

    /// Checks the configuration as PutBucketCors does: 1 to 100 rules, each with at least one
    /// origin and one method, known methods only, at most one `*` in an origin or an allowed
    /// header, none in an exposed header, IDs of at most 255 characters, a non-negative max age.
    public func validate() throws(S3Error) {
        guard !rules.isEmpty else { throw S3Error(.malformedXML) }
        guard rules.count <= Self.maximumRules else {
            throw S3Error(.invalidRequest, message: "The number of CORS rules should not exceed allowed limit of \(Self.maximumRules) rules.")
        }
        for rule in rules {
            guard !rule.allowedOrigins.isEmpty, !rule.allowedMethods.isEmpty else { throw S3Error(.malformedXML) }
            if let id = rule.id, id.count > Self.maximumIDLength {
                throw S3Error(.invalidRequest, message: "The ID value can be up to \(Self.maximumIDLength) characters long. Invalid ID is \"\(id)\"")
            }
            for method in rule.allowedMethods where !Self.methods.contains(method) {
                throw S3Error(.invalidRequest, message: "Found unsupported HTTP method in CORS config. Unsupported method is \(method)")
            }
            for origin in rule.allowedOrigins where CORSPattern.wildcardCount(origin) > 1 {
                throw S3Error(.invalidRequest, message: "AllowedOrigin \"\(origin)\" can not have more than one wildcard.")
            }
            for header in rule.allowedHeaders where CORSPattern.wildcardCount(header) > 1 {
                throw S3Error(.invalidRequest, message: "AllowedHeader \"\(header)\" can not have more than one wildcard.")
            }
            for header in rule.exposeHeaders where header.contains("*") {
                throw S3Error(.invalidRequest, message: "We currently do not support wildcard for ExposeHeader.")
            }
            if let maxAge = rule.maxAgeSeconds, maxAge < 0 {
                throw S3Error(.malformedXML)
            }
        }
    }
}
