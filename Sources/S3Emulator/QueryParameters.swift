public import S3EmulatorCore

/// The query parameters of a request, in order, decoded when asked for.
///
/// The whole query is checked when the request arrives (every name and value must decode, or
/// the request is refused); names are decoded then, values only when a lookup asks for them:
/// a presigned URL's `X-Amz-*` values are never decoded here, only by authentication.
public struct QueryParameters: Sendable {
    /// Each parameter: its decoded name, and its value as sent (nil without `=`), still encoded.
    private let parts: [(name: String, value: Substring?)]

    public init(rawQuery: String?) throws(S3Error) {
        guard let rawQuery, !rawQuery.isEmpty else {
            self.parts = []
            return
        }
        var parts: [(name: String, value: Substring?)] = []
        parts.reserveCapacity(8)
        // Checked as bytes: this runs for every request, and a presigned URL's query is hundreds
        // of bytes (its escaped credential decodes to ASCII, so checking it allocates nothing).
        var valid = true
        URIEncoding.forEachQueryPart(rawQuery) { name, value in
            guard let name = URIEncoding.formDecode(name), value.map(Self.decodes) ?? true else {
                valid = false
                return false
            }
            parts.append((name, value))
            return true
        }
        guard valid else {
            throw S3Error(.invalidArgument, message: "Invalid query string")
        }
        self.parts = parts
    }

    /// Every parameter, decoded (`+` is a space); a parameter without `=` has a nil value.
    public var items: [(name: String, value: String?)] {
        parts.map { ($0.name, $0.value.map(Self.decoded)) }
    }

    /// The value of `name`; `""` for a parameter present without a value (`?uploads`).
    public subscript(_ name: String) -> String? {
        let count = name.utf8.count
        for part in parts where part.name.utf8.count == count && part.name == name {
            return part.value.map(Self.decoded) ?? ""
        }
        return nil
    }

    public func contains(_ name: String) -> Bool {
        let count = name.utf8.count
        return parts.contains { $0.name.utf8.count == count && $0.name == name }
    }

    /// The decoded names, in order.
    var names: some Sequence<String> {
        parts.lazy.map(\.name)
    }

    // MARK: - Decoding

    private static func needsDecoding(_ text: Substring) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// Whether `text` form-decodes (valid escapes, valid UTF-8).
    private static func decodes(_ text: Substring) -> Bool {
        text.utf8.withContiguousStorageIfAvailable(URIEncoding.decodes(validUTF8:)) ?? (URIEncoding.formDecode(text) != nil)
    }

    /// `text` form-decoded; checked at init.
    private static func decoded(_ text: Substring) -> String {
        needsDecoding(text) ? URIEncoding.formDecode(text) ?? String(text) : String(text)
    }
}
