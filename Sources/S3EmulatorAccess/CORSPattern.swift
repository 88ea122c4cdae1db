/// An `AllowedOrigin` or `AllowedHeader` value of a CORS rule: literal text with at most one
/// `*`, which matches any run of characters, the empty run included. The pattern is anchored at
/// both ends: `http://*.example.com` matches `http://www.example.com`, not
/// `http://www.example.com:8080`.
///
/// Matching compares UTF-8 bytes without allocating. Header patterns are compiled lowercased
/// and compared with a lowercased candidate (header names are case-insensitive); origins are
/// compared as sent.
///
/// ```swift
/// let pattern = CORSPattern("http://*.example.com")
/// pattern.matches("http://photos.example.com")  // true
/// ```
public struct CORSPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as configured.
    public let text: String
    private let prefix: [UInt8]
    /// nil when the pattern has no `*`.
    private let suffix: [UInt8]?

    /// Compiles `text`. Text after a second `*` is kept literally; configurations with more than
    /// one `*` are refused before they get here (``CORSConfiguration/validate()``).
    public init(_ text: String) {
        self.text = text
        let bytes = Array(text.utf8)
        if let star = bytes.firstIndex(of: UInt8(ascii: "*")) {
            prefix = Array(bytes[..<star])
            suffix = Array(bytes[(star + 1)...])
        } else {
            prefix = bytes
            suffix = nil
        }
    }

    /// True for the pattern `*` alone, which matches everything.
    public var isWildcard: Bool { suffix != nil && prefix.isEmpty && suffix?.isEmpty == true }

    public var description: String { text }

    /// Whether `candidate` matches, byte for byte.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        var candidate = String(candidate)
        return candidate.withUTF8 { bytes in
            guard let suffix else {
                return bytes.elementsEqual(prefix)
            }
            guard bytes.count >= prefix.count + suffix.count else { return false }
            return bytes.prefix(prefix.count).elementsEqual(prefix) && bytes.suffix(suffix.count).elementsEqual(suffix)
        }
    }

    /// The number of `*` characters in `text`.
    static func wildcardCount(_ text: String) -> Int {
        text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "*") ? 1 : 0) }
    }

    public static func == (lhs: CORSPattern, rhs: CORSPattern) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
