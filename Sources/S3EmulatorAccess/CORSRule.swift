/// One `CORSRule` of a bucket's CORS configuration.
///
/// A rule matches a request when the `Origin` matches one of its ``allowedOrigins`` (as sent,
/// case-sensitively), the method (or, for a preflight, `Access-Control-Request-Method`) is one
/// of its ``allowedMethods`` (exactly: `GET`, `PUT`, `POST`, `DELETE`, `HEAD`), and, for a
/// preflight, every name in `Access-Control-Request-Headers` matches one of its
/// ``allowedHeaders`` (without regard to case).
///
/// ```swift
/// let rule = CORSRule(allowedOrigins: ["https://app.example"], allowedMethods: ["PUT"], allowedHeaders: ["*"])
/// rule.matchedOrigin("https://app.example")  // the pattern "https://app.example"
/// ```
public struct CORSRule: Sendable, Equatable {
    /// `ID`: an optional name of at most 255 characters.
    public var id: String?
    /// `AllowedOrigin`, in order.
    public var allowedOrigins: [String] { origins.map(\.text) }
    /// `AllowedMethod`, in order.
    public var allowedMethods: [String]
    /// `AllowedHeader`, in order, as configured (cases kept).
    public var allowedHeaders: [String] { headers.map(\.text) }
    /// `ExposeHeader`, in order.
    public var exposeHeaders: [String]
    /// `MaxAgeSeconds`.
    public var maxAgeSeconds: Int?

    private var origins: [CORSPattern]
    /// Compiled from the lowercased `AllowedHeader` values; `text` keeps the configured case.
    private var headers: [CORSPattern]
    private var lowercasedHeaders: [CORSPattern]

    /// A rule with the given elements; validate it with ``CORSConfiguration/validate()``.
    public init(
        id: String? = nil, allowedOrigins: [String], allowedMethods: [String], allowedHeaders: [String] = [],
        exposeHeaders: [String] = [], maxAgeSeconds: Int? = nil
    ) {
        self.id = id
        self.origins = allowedOrigins.map(CORSPattern.init)
        self.allowedMethods = allowedMethods
        self.headers = allowedHeaders.map(CORSPattern.init)
        self.lowercasedHeaders = allowedHeaders.map { CORSPattern($0.lowercased()) }
        self.exposeHeaders = exposeHeaders
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// The first `AllowedOrigin` pattern that `origin` matches, or nil.
    public func matchedOrigin(_ origin: String) -> CORSPattern? {
        origins.first { $0.matches(origin) }
    }

    /// Whether `method` is one of the rule's methods (compared exactly, as S3 does).
    public func allowsMethod(_ method: String) -> Bool {
        allowedMethods.contains(method)
    }

    /// Whether the request header `name` matches an `AllowedHeader`, without regard to case.
    public func allowsHeader(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowercasedHeaders.contains { $0.matches(lowered) }
    }

    public static func == (lhs: CORSRule, rhs: CORSRule) -> Bool {
        lhs.id == rhs.id && lhs.origins == rhs.origins && lhs.allowedMethods == rhs.allowedMethods
            && lhs.headers == rhs.headers && lhs.exposeHeaders == rhs.exposeHeaders && lhs.maxAgeSeconds == rhs.maxAgeSeconds
    }
}
