extension Substring {
    /// The text without leading and trailing HTTP whitespace: spaces and horizontal tabs (the
    /// optional whitespace around header values and list items, RFC 9110 section 5.6.3).
    ///
    /// Works on the UTF-8 bytes, without Foundation: `trimmingCharacters(in: .whitespaces)` on
    /// the `Authorization` header's components was an eighth of the server's CPU for a boto3
    /// (header-signed) GET, half of its SigV4 check.
    @inlinable
    public func trimmingHTTPWhitespace() -> Substring {
        func isWhitespace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
        }
        guard let first = utf8.firstIndex(where: { !isWhitespace($0) }),
              let last = utf8.lastIndex(where: { !isWhitespace($0) })
        else {
            return self[endIndex...]
        }
        // Both ends border on ASCII (or the text's ends), so they are character boundaries.
        return self[first..<utf8.index(after: last)]
    }
}

extension String {
    /// ``Substring/trimmingHTTPWhitespace()`` of the whole string.
    @inlinable
    public func trimmingHTTPWhitespace() -> Substring {
        self[...].trimmingHTTPWhitespace()
    }
}
