public import S3EmulatorCore

/// Where a request points: the bucket and key, resolved from the `Host` header
/// (virtual-hosted style) or the path (path style).
public struct RequestAddress: Sendable, Equatable {
    public var bucket: String?
    /// The object key, percent-decoded once, never normalized (`a//b/../c` stays as is).
    public var key: String?
    /// True when the bucket came from the `Host` header (`bucket.localhost`), not the path.
    public var isVirtualHosted: Bool

    public init(bucket: String?, key: String?, isVirtualHosted: Bool = false) {
        self.bucket = bucket
        self.key = key
        self.isVirtualHosted = isVirtualHosted
    }

    /// Resolves a request. `domains` are the base domains for virtual-hosted style
    /// (`bucket.localhost`, `bucket.s3.example.test`).
    ///
    /// A host that is a bare domain, an IP address or an unknown name means path style.
    public static func resolve(host: String?, rawPath: String, domains: [String]) throws(S3Error) -> RequestAddress {
        var virtualBucket: String?
        if let host {
            virtualBucket = bucket(inHost: hostWithoutPort(host), domains: domains)
        }
        guard rawPath.hasPrefix("/") else {
            throw S3Error(.invalidURI, message: "Couldn't parse the specified URI.")
        }
        let path = rawPath.dropFirst()
        if let virtualBucket {
            guard !path.isEmpty else { return RequestAddress(bucket: virtualBucket, key: nil, isVirtualHosted: true) }
            return RequestAddress(bucket: virtualBucket, key: try decode(path), isVirtualHosted: true)
        }
        guard !path.isEmpty else { return RequestAddress(bucket: nil, key: nil) }
        guard let slash = path.firstIndex(of: "/") else {
            return RequestAddress(bucket: try decode(path), key: nil)
        }
        let bucket = try decode(path[..<slash])
        let rest = path[path.index(after: slash)...]
        return RequestAddress(bucket: bucket, key: rest.isEmpty ? nil : try decode(rest))
    }

    /// The bucket of a virtual-hosted–style host (`photos.localhost` → `photos`): the host,
    /// lowercased, with `.domain` removed from its end. Nil for a bare domain or another host.
    private static func bucket(inHost host: Substring, domains: [String]) -> String? {
        let name = host.isLowercaseASCII ? host : Substring(host.lowercased())
        let bytes = name.utf8
        for domain in domains {
            let suffixLength = domain.utf8.count + 1
            guard bytes.count > suffixLength else { continue }
            let dot = bytes.index(bytes.endIndex, offsetBy: -suffixLength)
            guard bytes[dot] == UInt8(ascii: "."), bytes[bytes.index(after: dot)...].elementsEqual(domain.utf8) else { continue }
            return String(name[..<dot])
        }
        return nil
    }

    private static func decode(_ part: Substring) throws(S3Error) -> String {
        guard let decoded = URIEncoding.percentDecode(part) else {
            throw S3Error(.invalidURI, message: "Couldn't parse the specified URI.")
        }
        return decoded
    }

    static func hostWithoutPort(_ host: String) -> Substring {
        if host.hasPrefix("[") {
            // [::1]:9000
            if let end = host.firstIndex(of: "]") { return host[...end] }
            return host[...]
        }
        if let colon = host.lastIndex(of: ":") { return host[..<colon] }
        return host[...]
    }
}
