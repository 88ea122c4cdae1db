import Foundation

/// The four conditional request headers (`If-Match`, `If-None-Match`, `If-Modified-Since`,
/// `If-Unmodified-Since`), raw as received, and S3's evaluation of them.
///
/// S3's precedence (GetObject, HeadObject):
/// - If-Match true and If-Unmodified-Since false → 200: If-Match wins.
/// - If-None-Match false and If-Modified-Since true → 304: If-None-Match wins.
///
/// So: If-Match fails → 412; else, only without If-Match, If-Unmodified-Since fails → 412;
/// then If-None-Match matches → 304 (412 for a write); else, only without If-None-Match,
/// If-Modified-Since says unchanged → 304 (412 for a write). Dates that do not parse are
/// ignored, as S3 ignores them; Last-Modified is compared at whole seconds.
///
/// For the `x-amz-copy-source-if-*` headers of CopyObject and UploadPartCopy, evaluate with
/// `isReadRequest: false`: every failed condition there is 412.
///
/// ```swift
/// let conditions = ConditionalHeaders(ifNoneMatch: request.headers["If-None-Match"])
/// switch conditions.evaluate(etag: object.etag.quoted, lastModified: object.lastModified, isReadRequest: true) {
/// case .proceed: break
/// case .notModified: return .notModified(etag: object.etag)
/// case .preconditionFailed: throw S3Error(.preconditionFailed, details: [("Condition", "If-Match")])
/// }
/// ```
public struct ConditionalHeaders: Sendable, Equatable {
    public var ifMatch: String?
    public var ifNoneMatch: String?
    public var ifModifiedSince: String?
    public var ifUnmodifiedSince: String?

    public init(
        ifMatch: String? = nil,
        ifNoneMatch: String? = nil,
        ifModifiedSince: String? = nil,
        ifUnmodifiedSince: String? = nil
    ) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifUnmodifiedSince = ifUnmodifiedSince
    }

    /// True when no condition header is present.
    public var isEmpty: Bool {
        ifMatch == nil && ifNoneMatch == nil && ifModifiedSince == nil && ifUnmodifiedSince == nil
    }

    /// Evaluates the conditions against an existing object.
    ///
    /// - Parameters:
    ///   - etag: the object's ETag, quoted (`"\"abc\""`) or not; made only when an If-Match or
    ///     If-None-Match asks for it (most reads carry no condition).
    ///   - lastModified: the object's Last-Modified time.
    ///   - isReadRequest: true for GET and HEAD, where a failed If-None-Match or
    ///     If-Modified-Since is 304; false for writes and copy sources, where it is 412.
    public func evaluate(etag: @autoclosure () -> String, lastModified: Date, isReadRequest: Bool) -> ConditionalOutcome {
        let modifiedSecond = Self.wholeSeconds(lastModified)
        if let ifMatch {
            guard Self.etagMatches(ifMatch, etag: etag()) else { return .preconditionFailed }
        } else if let header = ifUnmodifiedSince, let since = HTTPDate.parse(header) {
            if modifiedSecond > Self.wholeSeconds(since) { return .preconditionFailed }
        }
        if let ifNoneMatch {
            if Self.etagMatches(ifNoneMatch, etag: etag()) {
                return isReadRequest ? .notModified : .preconditionFailed
            }
        } else if let header = ifModifiedSince, let since = HTTPDate.parse(header) {
            if modifiedSecond <= Self.wholeSeconds(since) {
                return isReadRequest ? .notModified : .preconditionFailed
            }
        }
        return .proceed
    }

    /// True when the `If-Match` / `If-None-Match` value matches `etag`: `*`, or any entry of
    /// a comma-separated list equal to it. Entries may be quoted or not; a weak `W/` prefix
    /// is ignored, as S3 ignores it.
    public static func etagMatches(_ headerValue: String, etag: String) -> Bool {
        let wanted = unquoted(etag[...])
        var rest = headerValue[...]
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard !rest.isEmpty else { return false }
            var entry: Substring
            if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
            if rest.hasPrefix("\"") {
                let afterQuote = rest.dropFirst()
                if let close = afterQuote.firstIndex(of: "\"") {
                    entry = afterQuote[..<close]
                    rest = afterQuote[afterQuote.index(after: close)...]
                } else {
                    entry = afterQuote.prefix { $0 != "," }
                    rest = afterQuote[entry.endIndex...]
                }
            } else {
                entry = rest.prefix { $0 != "," }
                rest = rest[entry.endIndex...]
                entry = entry.trimmingHTTPWhitespace()
            }
            if entry == "*" || entry == wanted { return true }
        }
    }

    private static func unquoted(_ value: Substring) -> Substring {
        var value = value.trimmingHTTPWhitespace()
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = value.dropFirst().dropLast()
        }
        return value
    }

    private static func wholeSeconds(_ date: Date) -> Int64 {
        let interval = date.timeIntervalSince1970.rounded(.down)
        guard interval.isFinite else { return interval < 0 ? Int64.min : Int64.max }
        guard interval > -9.2e18, interval < 9.2e18 else { return interval < 0 ? Int64.min : Int64.max }
        return Int64(interval)
    }
}
