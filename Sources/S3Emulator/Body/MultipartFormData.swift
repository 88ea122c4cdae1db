import S3EmulatorCore

/// `multipart/form-data` (RFC 7578 over RFC 2046 §5.1) as POST Object uses it: the request's
/// boundary, and the `Content-Disposition` of each part.
enum MultipartFormData {
    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header; nil when the
    /// type is not `multipart/form-data` at all.
    /// - Throws: ``S3Error`` MalformedPOSTRequest when the type is right but the boundary is
    ///   missing, empty or longer than 70 characters.
    static func boundary(contentType: String) throws(S3Error) -> String? {
        let parts = parameters(contentType)
        guard parts.value.lowercased() == "multipart/form-data" else { return nil }
        guard let boundary = parts.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw S3Error(.malformedPOSTRequest)
        }
        return boundary
    }

    /// A part's `Content-Disposition: form-data; name="…"; filename="…"`.
    struct ContentDisposition: Equatable {
        /// `form-data`, lowercased.
        var type: String
        var name: String?
        /// The `filename` parameter as sent; nil when there is none.
        var filename: String?

        init(_ header: String) {
            let parts = MultipartFormData.parameters(header)
            type = parts.value.lowercased()
            name = parts.parameters["name"]
            filename = parts.parameters["filename"]
        }
    }

    /// Splits `value; name=token; name="quoted \" string"` into the value and its parameters
    /// (names lowercased; `\"` and `\\` unescaped, other backslashes kept; the first of a
    /// repeated name wins).
    static func parameters(_ header: String) -> (value: String, parameters: [String: String]) {
        let bytes = Array(header.utf8)
        var index = 0
        func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }
        func token(until stops: Set<UInt8>) -> String {
            let start = index
            while index < bytes.count, !stops.contains(bytes[index]) { index += 1 }
            var end = index
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        skipSpaces()
        let value = token(until: [UInt8(ascii: ";")])
        var parameters: [String: String] = [:]
        while index < bytes.count {
            index += 1  // ";"
            skipSpaces()
            let name = token(until: [UInt8(ascii: "="), UInt8(ascii: ";")]).lowercased()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipSpaces()
            let parameterValue: String
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var out: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    // A quoted-pair only before `"` or `\`: browsers send a Windows path's `\` as is.
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count,
                        bytes[index + 1] == UInt8(ascii: "\"") || bytes[index + 1] == UInt8(ascii: "\\")
                    {
                        index += 1
                    }
                    out.append(bytes[index])
                    index += 1
                }
                if index < bytes.count { index += 1 }  // the closing `"`; an unterminated string runs to the end
                parameterValue = String(decoding: out, as: UTF8.self)
                _ = token(until: [UInt8(ascii: ";")])
            } else {
                parameterValue = token(until: [UInt8(ascii: ";")])
            }
            if !name.isEmpty, parameters[name] == nil {
                parameters[name] = parameterValue
            }
        }
        return (value, parameters)
    }
}
