extension ObjectMetadata {
    /// The JSON stored in `objects.metadata`: members in a fixed order, empty fields left out;
    /// `{}` when empty. Member names are the `Codable` ones, so `JSONDecoder` reads it too.
    func jsonText() -> String {
        var writer = MetadataJSONWriter()
        writer.member("acl", acl)
        writer.member("cacheControl", cacheControl)
        writer.member("checksumType", checksumType)
        writer.member("checksums", checksums)
        writer.member("contentDisposition", contentDisposition)
        writer.member("contentEncoding", contentEncoding)
        writer.member("contentLanguage", contentLanguage)
        writer.member("contentType", contentType)
        writer.member("expires", expires)
        writer.member("storageClass", storageClass)
        writer.member("tags", tags)
        writer.member("userMetadata", userMetadata)
        return writer.finish()
    }

    /// Decodes the stored JSON; unknown members are ignored (a newer s3emu may add some).
    init(jsonBytes: UnsafeRawBufferPointer) throws {
        self.init()
        var reader = MetadataJSONReader(jsonBytes)
        try reader.readObject { name, value in
            switch (name, value) {
            case ("acl", .string(let text)): acl = text
            case ("cacheControl", .string(let text)): cacheControl = text
            case ("checksumType", .string(let text)): checksumType = text
            case ("checksums", .map(let map)): checksums = map
            case ("contentDisposition", .string(let text)): contentDisposition = text
            case ("contentEncoding", .string(let text)): contentEncoding = text
            case ("contentLanguage", .string(let text)): contentLanguage = text
            case ("contentType", .string(let text)): contentType = text
            case ("expires", .string(let text)): expires = text
            case ("storageClass", .string(let text)): storageClass = text
            case ("tags", .map(let map)): tags = map
            case ("userMetadata", .map(let map)): userMetadata = map
            case (_, .null):
                break
            case ("acl", _), ("cacheControl", _), ("checksumType", _), ("checksums", _), ("contentDisposition", _),
                ("contentEncoding", _), ("contentLanguage", _), ("contentType", _), ("expires", _),
                ("storageClass", _), ("tags", _), ("userMetadata", _):
                throw StorageError.corrupt("unreadable object metadata: member \(name) has the wrong type")
            default:
                break
            }
        }
    }
}
