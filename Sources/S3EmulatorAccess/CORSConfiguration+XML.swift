public import S3EmulatorCore

/// The `CORSConfiguration` XML document of PutBucketCors and GetBucketCors.
extension CORSConfiguration {
    /// The largest document PutBucketCors accepts: 64 KB.
    public static let maximumDocumentSize = 64 * 1024

    /// Parses and validates a PutBucketCors body.
    ///
    /// ```swift
    /// let configuration = try CORSConfiguration(parsing: Array(body))
    /// ```
    /// - Throws: ``S3Error`` MalformedXML for a document that is not a `CORSConfiguration` of
    ///   `CORSRule`s with known elements, InvalidRequest for rules S3 refuses (see ``validate()``).
    public init(parsing bytes: some Collection<UInt8>) throws(S3Error) {
        let root = try XMLParser.parse(bytes, limits: .init(maxBytes: Self.maximumDocumentSize))
        guard root.name == "CORSConfiguration", !root.text.contains(where: { !$0.isWhitespace }) else {
            throw S3Error(.malformedXML)
        }
        var rules: [CORSRule] = []
        for element in root.children {
            guard element.name == "CORSRule" else { throw S3Error(.malformedXML) }
            rules.append(try Self.rule(element))
        }
        try self.init(rules: rules)
    }

    private static func rule(_ element: XMLNode) throws(S3Error) -> CORSRule {
        var id: String?
        var origins: [String] = []
        var methods: [String] = []
        var headers: [String] = []
        var exposed: [String] = []
        var maxAge: Int?
        for child in element.children {
            guard child.children.isEmpty else { throw S3Error(.malformedXML) }
            switch child.name {
            case "ID":
                guard id == nil else { throw S3Error(.malformedXML) }
                id = child.text
            case "AllowedOrigin": origins.append(child.text)
            case "AllowedMethod": methods.append(child.text)
            case "AllowedHeader": headers.append(child.text)
            case "ExposeHeader": exposed.append(child.text)
            case "MaxAgeSeconds":
                let text = child.text.trimmingWhitespace
                guard maxAge == nil, let value = Int(text) else { throw S3Error(.malformedXML) }
                maxAge = value
            default:
                throw S3Error(.malformedXML)
            }
        }
        return CORSRule(
            id: id, allowedOrigins: origins, allowedMethods: methods, allowedHeaders: headers, exposeHeaders: exposed,
            maxAgeSeconds: maxAge
        )
    }

    /// The document as GetBucketCors answers it (and as s3emu stores it): each rule's `ID`,
    /// `AllowedHeader`, `AllowedMethod`, `AllowedOrigin`, `ExposeHeader` and `MaxAgeSeconds`
    /// as set, values in the order given.
    public var xml: String {
        var xml = XMLWriter()
        xml.declaration()
        xml.open("CORSConfiguration", namespace: XMLWriter.s3Namespace)
        for rule in rules {
            xml.open("CORSRule")
            xml.element("ID", ifPresent: rule.id)
            for header in rule.allowedHeaders { xml.element("AllowedHeader", header) }
            for method in rule.allowedMethods { xml.element("AllowedMethod", method) }
            for origin in rule.allowedOrigins { xml.element("AllowedOrigin", origin) }
            for header in rule.exposeHeaders { xml.element("ExposeHeader", header) }
            xml.element("MaxAgeSeconds", ifPresent: rule.maxAgeSeconds.map(String.init))
            xml.close("CORSRule")
        }
        xml.close("CORSConfiguration")
        return xml.text
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    fileprivate var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
