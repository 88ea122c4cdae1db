import Foundation
import S3EmulatorCore

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
        // Scanned as bytes: a presigned URL's target is hundreds of bytes, and the generic
        // search of a `String.UTF8View` slice was about 2% of a GET's CPU.
        URIEncoding.withUTF8(target) { bytes in
            let startOffset = target.utf8.distance(from: target.utf8.startIndex, to: start)
            guard let question = firstOffset(of: UInt8(ascii: "?"), in: bytes, from: startOffset) else {
                return (string(bytes, startOffset..<bytes.count), nil)
            }
            return (string(bytes, startOffset..<question), query(bytes, after: question))
        }
    }

    /// The query after the `?` at `question`, up to a `#`.
    private static func query(_ target: String, after question: String.Index) -> String {
        URIEncoding.withUTF8(target) { bytes in
            query(bytes, after: target.utf8.distance(from: target.utf8.startIndex, to: question))
        }
    }

    private static func query(_ bytes: UnsafeBufferPointer<UInt8>, after question: Int) -> String {
        let end = firstOffset(of: UInt8(ascii: "#"), in: bytes, from: question + 1) ?? bytes.count
        return string(bytes, (question + 1)..<end)
    }

    private static func firstOffset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
            let found = memchr(base + start, Int32(byte), bytes.count - start)
        else {
            return nil
        }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// The text of `range`, which ends at an ASCII byte or at the end: whole characters.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
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
