import S3EmulatorCore

/// An object's tag set, parsed and checked as S3 does: at most 10 tags, keys of 1 to 128 and
/// values of up to 256 Unicode characters, each key once.
enum ObjectTagSet {
    static let maxTags = 10
    static let maxKeyLength = 128
    static let maxValueLength = 256

    /// Tags from the `x-amz-tagging` header, URL query form (`k1=v1&k2=v2`).
    static func parse(header: String) throws(S3Error) -> [String: String] {
        guard !header.isEmpty else { return [:] }
        guard let items = URIEncoding.parseQuery(header) else {
            throw S3Error(.invalidArgument, message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
                          details: [("ArgumentName", "x-amz-tagging"), ("ArgumentValue", header)])
        }
        return try validate(items.map { ($0.name, $0.value ?? "") })
    }

    /// Tags from a `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` body.
    static func parse(xml root: XMLNode, maxTags: Int = maxTags) throws(S3Error) -> [String: String] {
        guard root.name == "Tagging", let set = root.child("TagSet") else { throw S3Error(.malformedXML) }
        var pairs: [(String, String)] = []
        for tag in set.children(named: "Tag") {
            guard let key = tag.childText("Key"), let value = tag.childText("Value") else { throw S3Error(.malformedXML) }
            pairs.append((key, value))
        }
        return try validate(pairs, maxTags: maxTags)
    }

    /// The most tags a bucket may have.
    static let maxBucketTags = 50

    static func validate(_ pairs: [(String, String)], maxTags: Int = maxTags) throws(S3Error) -> [String: String] {
        guard pairs.count <= maxTags else {
            throw S3Error(.invalidTag, message: maxTags == Self.maxTags ? "Object tags cannot be greater than 10" : "Bucket tag count cannot be greater than \(maxTags)")
        }
        var tags: [String: String] = [:]
        for (key, value) in pairs {
            guard !key.isEmpty, key.count <= maxKeyLength else {
                throw S3Error(.invalidTag, message: "The TagKey you have provided is invalid", details: [("TagKey", key)])
            }
            guard value.count <= maxValueLength else {
                throw S3Error(.invalidTag, message: "The TagValue you have provided is invalid", details: [("TagKey", key), ("TagValue", value)])
            }
            guard tags.updateValue(value, forKey: key) == nil else {
                throw S3Error(.invalidTag, message: "Cannot provide multiple Tags with the same key", details: [("TagKey", key)])
            }
        }
        return tags
    }

    /// The `<Tagging>` document of a tag set, keys sorted.
    static func xml(_ tags: [String: String]) -> String {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("Tagging", namespace: XMLWriter.s3Namespace)
        xml.open("TagSet")
        for key in tags.keys.sorted() {
            xml.open("Tag")
            xml.element("Key", key)
            xml.element("Value", tags[key] ?? "")
            xml.close("Tag")
        }
        xml.close("TagSet")
        xml.close("Tagging")
        return xml.text
    }
}
