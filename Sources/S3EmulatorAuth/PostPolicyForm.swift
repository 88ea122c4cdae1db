public import S3EmulatorCore

/// The fields of a POST Object form that precede the file, as a POST policy sees them.
///
/// Field names are case-insensitive (`Policy`, `policy` and `POLICY` are one field). Fields
/// with the same name are one field whose values are joined by commas, as S3 documents it.
///
/// ```swift
/// let form = PostPolicyForm(fields: [("key", "uploads/cat.png"), ("Content-Type", "image/png")])
/// form["content-type"]  // "image/png"
/// ```
public struct PostPolicyForm: Sendable {
    /// One field: its name as sent (the first spelling when repeated) and its value.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        /// A field named `name` with `value`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in the order they were sent.
    public private(set) var fields: [Field] = []
    private var indexByLowercasedName: [String: Int] = [:]

    /// A form of `fields`, in order.
    public init(fields: [(name: String, value: String)]) {
        for (name, value) in fields {
            append(name: name, value: value)
        }
    }

    /// Adds a field; a repeated name appends `,value` to the earlier one.
    public mutating func append(name: String, value: String) {
        let lowered = name.lowercased()
        if let index = indexByLowercasedName[lowered] {
            fields[index].value += "," + value
        } else {
            indexByLowercasedName[lowered] = fields.count
            fields.append(Field(name: name, value: value))
        }
    }

    /// The value of the field `name`, whatever its letter case; nil when absent.
    public subscript(_ name: String) -> String? {
        indexByLowercasedName[name.lowercased()].map { fields[$0].value }
    }

    /// The value of a field the form must have.
    /// - Throws: ``S3Error`` InvalidArgument "Bucket POST must contain a field named '…'." (with
    ///   `ArgumentName`), as S3 answers a missing `key`, `Policy` or signature field.
    public func required(_ name: String) throws(S3Error) -> String {
        guard let value = self[name] else {
            throw S3Error(
                .invalidArgument,
                message: "Bucket POST must contain a field named '\(name)'.  If it is specified, please check the order of the fields.",
                details: [("ArgumentName", name), ("ArgumentValue", "")])
        }
        return value
    }

    /// Whether the form has a field `name`, whatever its letter case.
    public func contains(_ name: String) -> Bool {
        indexByLowercasedName[name.lowercased()] != nil
    }

    /// Replaces the value of every field with `transform(value)`.
    public mutating func mapValues(_ transform: (String) -> String) {
        for index in fields.indices {
            fields[index].value = transform(fields[index].value)
        }
    }
}
