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
        let virtualBucket = host.flatMap { bucket(inHost: $0, domains: domains) }
        // Split and decoded as bytes: this runs for every request.
        let resolved = URIEncoding.withUTF8(rawPath) { path -> Result<RequestAddress, S3Error> in
            Result { () throws(S3Error) in
                guard path.first == UInt8(ascii: "/") else {
                    throw S3Error(.invalidURI, message: "Couldn't parse the specified URI.")
                }
                let rest = path[1...]
                if let virtualBucket {
                    return RequestAddress(bucket: virtualBucket, key: rest.isEmpty ? nil : try decode(rest), isVirtualHosted: true)
                }
                guard !rest.isEmpty else { return RequestAddress(bucket: nil, key: nil) }
                guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else {
                    return RequestAddress(bucket: try decode(rest), key: nil)
                }
                let bucket = try decode(rest[..<slash])
                let key = rest[(slash + 1)...]
                return RequestAddress(bucket: bucket, key: key.isEmpty ? nil : try decode(key))
            }
        }
        return try resolved.get()
    }

    /// The bucket of a virtual-hosted–style host (`photos.localhost:9000` → `photos`): the host
    /// without its port, lowercased, with `.domain` removed from its end. Nil for a bare domain
    /// or another host.
    private static func bucket(inHost host: String, domains: [String]) -> String? {
        guard !domains.isEmpty else { return nil }
        let name = host.isLowercaseASCII ? host : host.lowercased()
        return URIEncoding.withUTF8(name) { bytes -> String? in
            // Without the port: `[::1]:9000` → `[::1]`, `localhost:9000` → `localhost`.
            var length = bytes.count
            if bytes.first == UInt8(ascii: "[") {
                if let end = bytes.firstIndex(of: UInt8(ascii: "]")) { length = end + 1 }
            } else if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
                length = colon
            }
            for domain in domains {
                let suffixLength = domain.utf8.count + 1
                guard length > suffixLength else { continue }
                let dot = length - suffixLength
                guard bytes[dot] == UInt8(ascii: "."), bytes[(dot + 1)..<length].elementsEqual(domain.utf8) else { continue }
                return String(decoding: bytes[..<dot], as: UTF8.self)
            }
            return nil
        }
    }

    private static func decode(_ part: Slice<UnsafeBufferPointer<UInt8>>) throws(S3Error) -> String {
        guard let decoded = URIEncoding.decode(UnsafeBufferPointer(rebasing: part), plusIsSpace: false) else {
            throw S3Error(.invalidURI, message: "Couldn't parse the specified URI.")
        }
        return decoded
    }
}
