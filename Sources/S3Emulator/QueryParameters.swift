public import S3EmulatorCore

/// The query parameters of a request, in order, decoded when asked for.
///
/// The whole query is checked when the request arrives (every name and value must decode, or
/// the request is refused). Parameters are byte ranges of the query as sent: a name is decoded
/// then only when it has an escape or a `+`, a value only when a lookup asks for it. A presigned
/// URL's `X-Amz-*` parameters are never decoded or copied here, only by authentication.
public struct QueryParameters: Sendable {
    /// The query as sent.
    private let rawQuery: String
    private let parts: [Part]

    private struct Part: Sendable {
        /// The name's bytes in the query.
        var name: Range<Int>
        /// The name decoded, when that differs from its bytes.
        var decodedName: String?

        /// The decoded name's length in bytes.
        var nameLength: Int { decodedName?.utf8.count ?? name.count }
        /// The value's bytes in the query, still encoded; nil without `=`.
        var value: Range<Int>?
    }

    public init(rawQuery: String?) throws(S3Error) {
        guard let rawQuery, !rawQuery.isEmpty else {
            self.rawQuery = ""
            self.parts = []
            return
        }
        var parts: [Part] = []
        parts.reserveCapacity(8)
        // Checked as bytes: this runs for every request, and a presigned URL's query is hundreds
        // of bytes (its escaped credential decodes to ASCII, so checking it allocates nothing).
        // The query is a String, so its bytes are UTF-8, and so is each part: they are split at
        // ASCII bytes.
        let valid = URIEncoding.withUTF8(rawQuery) { query -> Bool in
            var valid = true
            URIEncoding.forEachQueryPart(in: query) { name, value in
                let nameBytes = UnsafeBufferPointer(rebasing: query[name])
                var decodedName: String?
                if Self.needsDecoding(nameBytes) {
                    guard let decoded = URIEncoding.decode(nameBytes, plusIsSpace: true) else {
                        valid = false
                        return false
                    }
                    decodedName = decoded
                }
                if let value, !URIEncoding.decodes(validUTF8: UnsafeBufferPointer(rebasing: query[value])) {
                    valid = false
                    return false
                }
                parts.append(Part(name: name, decodedName: decodedName, value: value))
                return true
            }
            return valid
        }
        guard valid else {
            throw S3Error(.invalidArgument, message: "Invalid query string")
        }
        self.rawQuery = rawQuery
        self.parts = parts
    }

    /// Every parameter, decoded (`+` is a space); a parameter without `=` has a nil value.
    public var items: [(name: String, value: String?)] {
        parts.indices.map { (name(at: $0), parts[$0].value.map(decoded)) }
    }

    /// The value of `name`; `""` for a parameter present without a value (`?uploads`).
    public subscript(_ name: String) -> String? {
        guard let index = index(of: name) else { return nil }
        return parts[index].value.map(decoded) ?? ""
    }

    public func contains(_ name: String) -> Bool {
        index(of: name) != nil
    }

    /// The decoded names that `isIncluded` accepts, in order. It sees each decoded name's
    /// UTF-8 bytes; a name becomes a String only when it is included.
    func names(where isIncluded: (UnsafeBufferPointer<UInt8>) -> Bool) -> [String] {
        URIEncoding.withUTF8(rawQuery) { query in
            parts.indices.compactMap { index in
                if let decodedName = parts[index].decodedName {
                    return URIEncoding.withUTF8(decodedName, isIncluded) ? decodedName : nil
                }
                let name = UnsafeBufferPointer(rebasing: query[parts[index].name])
                return isIncluded(name) ? String(decoding: name, as: UTF8.self) : nil
            }
        }
    }

    /// The index of the first parameter named `name`. Most lookups miss, and a name of another
    /// length is passed over without looking at its bytes.
    private func index(of name: String) -> Int? {
        let count = name.utf8.count
        for index in parts.indices where parts[index].nameLength == count {
            if let decodedName = parts[index].decodedName {
                if decodedName == name { return index }
            } else if URIEncoding.withUTF8(rawQuery, { query in
                URIEncoding.withUTF8(name) { query[parts[index].name].elementsEqual($0) }
            }) {
                return index
            }
        }
        return nil
    }

    private func name(at index: Int) -> String {
        parts[index].decodedName ?? decoded(parts[index].name)
    }

    // MARK: - Decoding

    private static func needsDecoding(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
    }

    /// The name or value at `range`, form-decoded; checked at init.
    private func decoded(_ range: Range<Int>) -> String {
        URIEncoding.withUTF8(rawQuery) { query in
            let bytes = UnsafeBufferPointer(rebasing: query[range])
            return URIEncoding.decode(bytes, plusIsSpace: true) ?? String(decoding: bytes, as: UTF8.self)
        }
    }
}
