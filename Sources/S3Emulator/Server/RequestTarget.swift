import Foundation

/// The raw path and query of an HTTP request target (`/bucket/my%20key?versionId=3`), still
/// percent-encoded, as SigV4 signs them.
///
/// The origin form (`/path?query`) splits at the first `?`; the query ends at a `#`. The
/// absolute form (`http://host/path?query`, which proxies send) keeps only its path and query.
/// These are the rules s3emu's earlier HTTP layer (Hummingbird's request URI) applied, so a
/// request target means the same as it always has.
enum RequestTarget {
    static func split(_ target: String) -> (path: String, query: String?) {
        if target.utf8.first == UInt8(ascii: "/") {
            return splitPath(target, from: target.startIndex)
        }
        return splitOtherForm(originForm(ofAbsoluteForm: target))
    }

    /// The path from `start` up to the first `?`, and the query after it up to a `#`.
    private static func splitPath(_ target: String, from start: String.Index) -> (path: String, query: String?) {
        guard let question = target.utf8[start...].firstIndex(of: UInt8(ascii: "?")) else {
            return (String(target[start...]), nil)
        }
        return (String(target[start..<question]), query(target, after: question))
    }

    /// The query after the `?` at `question`, up to a `#`.
    private static func query(_ target: String, after question: String.Index) -> String {
        let utf8 = target.utf8
        let queryStart = utf8.index(after: question)
        let queryEnd = utf8[queryStart...].firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        return String(target[queryStart..<queryEnd])
    }

    /// A target that does not start with `/`: `scheme://host:port/path?query`, or a bare path.
    private static func splitOtherForm(_ target: String) -> (path: String, query: String?) {
        if target.utf8.first == UInt8(ascii: "/") {
            return splitPath(target, from: target.startIndex)
        }
        let utf8 = target.utf8
        var index = utf8.startIndex
        if let separator = target.range(of: "://") {
            index = separator.upperBound
            // The host ends at `:`, `/` or `?`; a port at `/` or `?`.
            while index != utf8.endIndex, ![UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?")].contains(utf8[index]) {
                utf8.formIndex(after: &index)
            }
            if index == utf8.endIndex { return ("/", nil) }
            if utf8[index] == UInt8(ascii: ":") {
                utf8.formIndex(after: &index)
                while index != utf8.endIndex, utf8[index] != UInt8(ascii: "/"), utf8[index] != UInt8(ascii: "?") {
                    utf8.formIndex(after: &index)
                }
                if index == utf8.endIndex { return ("/", nil) }
            } else if utf8[index] == UInt8(ascii: "?") {
                return ("/", query(target, after: index))
            }
        }
        if index == utf8.endIndex { return ("/", nil) }
        return splitPath(target, from: index)
    }

    /// The path and query of an absolute-form target (`http://host/path?query` → `/path?query`);
    /// any other target as it is.
    private static func originForm(ofAbsoluteForm target: String) -> String {
        guard let components = URLComponents(string: target), let urlString = components.string,
            components.rangeOfScheme != nil
        else {
            return target
        }
        let pathRange = components.rangeOfPath
        let queryRange = components.rangeOfQuery
        var requestRange: Range<String.Index>?
        if let lowerBound = pathRange?.lowerBound ?? queryRange?.lowerBound,
            let upperBound = queryRange?.upperBound ?? pathRange?.upperBound
        {
            requestRange = lowerBound..<upperBound
        }
        if let pathRange, !pathRange.isEmpty, let requestRange {
            return String(urlString[requestRange])
        }
        if let requestRange, !requestRange.isEmpty {
            return "/\(urlString[requestRange])"
        }
        return "/"
    }
}
