/// The stored metadata of an object that is not one of its own columns: the system headers a
/// client may set, user metadata, checksums and the storage class.
///
/// Stored as JSON in the `objects.metadata` column; empty fields are left out, so an object
/// without metadata costs two bytes (`{}`).
public struct ObjectMetadata: Sendable, Equatable, Codable {
    /// `Content-Type` as given on upload.
    public var contentType: String?
    /// `Cache-Control`.
    public var cacheControl: String?
    /// `Content-Disposition`.
    public var contentDisposition: String?
    /// `Content-Encoding`.
    public var contentEncoding: String?
    /// `Content-Language`.
    public var contentLanguage: String?
    /// `Expires`, as the client sent it.
    public var expires: String?
    /// `x-amz-meta-*` headers: keys lowercased, without the `x-amz-meta-` prefix.
    public var userMetadata: [String: String]
    /// Checksums by algorithm name (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`) → base64 value.
    public var checksums: [String: String]
    /// `FULL_OBJECT` or `COMPOSITE`.
    public var checksumType: String?
    /// `x-amz-storage-class`; `nil` means `STANDARD`.
    public var storageClass: String?
    /// The object's access control list, in the server's own encoding; `nil` means the default
    /// (owner full control).
    public var acl: String?
    /// The object's tags (key → value), at most 10.
    public var tags: [String: String]

    /// Metadata with the given fields; everything left out is absent.
    public init(
        contentType: String? = nil,
        cacheControl: String? = nil,
        contentDisposition: String? = nil,
        contentEncoding: String? = nil,
        contentLanguage: String? = nil,
        expires: String? = nil,
        userMetadata: [String: String] = [:],
        checksums: [String: String] = [:],
        checksumType: String? = nil,
        storageClass: String? = nil,
        acl: String? = nil,
        tags: [String: String] = [:]
    ) {
        self.contentType = contentType
        self.cacheControl = cacheControl
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.contentLanguage = contentLanguage
        self.expires = expires
        self.userMetadata = userMetadata
        self.checksums = checksums
        self.checksumType = checksumType
        self.storageClass = storageClass
        self.acl = acl
        self.tags = tags
    }

    private enum CodingKeys: String, CodingKey {
        case contentType, cacheControl, contentDisposition, contentEncoding, contentLanguage, expires
        case userMetadata, checksums, checksumType, storageClass, acl, tags
    }

    /// Decodes metadata; missing maps decode as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        cacheControl = try container.decodeIfPresent(String.self, forKey: .cacheControl)
        contentDisposition = try container.decodeIfPresent(String.self, forKey: .contentDisposition)
        contentEncoding = try container.decodeIfPresent(String.self, forKey: .contentEncoding)
        contentLanguage = try container.decodeIfPresent(String.self, forKey: .contentLanguage)
        expires = try container.decodeIfPresent(String.self, forKey: .expires)
        userMetadata = try container.decodeIfPresent([String: String].self, forKey: .userMetadata) ?? [:]
        checksums = try container.decodeIfPresent([String: String].self, forKey: .checksums) ?? [:]
        checksumType = try container.decodeIfPresent(String.self, forKey: .checksumType)
        storageClass = try container.decodeIfPresent(String.self, forKey: .storageClass)
        acl = try container.decodeIfPresent(String.self, forKey: .acl)
        tags = try container.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
    }

    /// Encodes metadata, leaving out absent fields and empty maps.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(contentType, forKey: .contentType)
        try container.encodeIfPresent(cacheControl, forKey: .cacheControl)
        try container.encodeIfPresent(contentDisposition, forKey: .contentDisposition)
        try container.encodeIfPresent(contentEncoding, forKey: .contentEncoding)
        try container.encodeIfPresent(contentLanguage, forKey: .contentLanguage)
        try container.encodeIfPresent(expires, forKey: .expires)
        if !userMetadata.isEmpty {
            try container.encode(userMetadata, forKey: .userMetadata)
        }
        if !checksums.isEmpty {
            try container.encode(checksums, forKey: .checksums)
        }
        try container.encodeIfPresent(checksumType, forKey: .checksumType)
        try container.encodeIfPresent(storageClass, forKey: .storageClass)
        try container.encodeIfPresent(acl, forKey: .acl)
        if !tags.isEmpty {
            try container.encode(tags, forKey: .tags)
        }
    }
}
